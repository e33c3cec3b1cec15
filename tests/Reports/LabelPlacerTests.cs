using TinyKd.Distill.Reports;

namespace TinyKd.Tests.Reports;

public class LabelPlacerTests
{
    private static readonly LabelBox Bounds = new(60, 40, 470, 350);

    [Fact]
    public void A_lone_label_goes_to_the_right_of_its_point()
    {
        var placed = LabelPlacer.Place([(200, 200)], ["teacher"], [], Bounds);

        Assert.Equal("start", placed[0].Anchor);
        Assert.True(placed[0].Box.Left > 200);
        Assert.False(placed[0].Leader);
    }

    [Fact]
    public void A_label_that_would_leave_the_bounds_goes_to_the_left()
    {
        var placed = LabelPlacer.Place([(465, 200)], ["student distilled"], [], Bounds);

        Assert.Equal("end", placed[0].Anchor);
        Assert.Equal(0, placed[0].Box.Outside(Bounds));
    }

    [Fact]
    public void Labels_of_six_crowded_points_neither_overlap_each_other_nor_the_markers()
    {
        // Two scenarios × three models: the students share a size, the teachers nearly share an accuracy.
        (double X, double Y)[] points = [(420, 120), (180, 180), (180, 172), (420, 124), (180, 300), (180, 250)];
        string[] labels = ["teacher", "student alone", "student distilled", "teacher", "student alone", "student distilled"];
        var markers = points.Select(p => new LabelBox(p.X - 5, p.Y - 5, p.X + 5, p.Y + 5)).ToList();

        var placed = LabelPlacer.Place(points, labels, markers, Bounds);

        for (int i = 0; i < placed.Count; i++)
        {
            Assert.Equal(0, placed[i].Box.Outside(Bounds));
            Assert.All(markers, m => Assert.Equal(0, placed[i].Box.Overlap(m)));
            for (int j = 0; j < i; j++) Assert.True(placed[i].Box.Overlap(placed[j].Box) == 0, $"labels {j} and {i} overlap");
        }
    }

    [Fact]
    public void Box_overlap_is_the_shared_area()
    {
        var a = new LabelBox(0, 0, 10, 10);

        Assert.Equal(25, a.Overlap(new LabelBox(5, 5, 20, 20)));
        Assert.Equal(0, a.Overlap(new LabelBox(10, 0, 20, 10)));
        Assert.Equal(50, a.Outside(new LabelBox(5, 0, 20, 10)));
    }
}
