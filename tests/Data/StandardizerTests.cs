using TinyKd.Distill.Data;
using TinyKd.Tensors;

namespace TinyKd.Tests.Data;

public class StandardizerTests
{
    // Two features: the first takes 1, 3 (mean 2, std 1), the second is constant 5.
    private static Dataset Toy() => new(Tensor.FromArray([1f, 5f, 3f, 5f], 2, 2), [0, 1], classes: 2, "toy");

    [Fact]
    public void Global_fit_uses_one_population_mean_and_std_over_all_features()
    {
        var s = Standardizer.Fit(Toy());

        // Values 1, 5, 3, 5: mean 3.5, variance (6.25 + 2.25 + 0.25 + 2.25) / 4 = 2.75.
        Assert.False(s.IsPerFeature);
        Assert.Equal(3.5f, s.Mean[0], 5);
        Assert.Equal(MathF.Sqrt(2.75f), s.Std[0], 5);
    }

    [Fact]
    public void Per_feature_fit_centres_each_column_and_leaves_a_constant_column_unscaled()
    {
        var data = Toy();
        var s = Standardizer.Fit(data, StandardizationMode.PerFeature);

        s.Apply(data);

        Assert.Equal([2f, 5f], s.Mean);
        Assert.Equal([1f, 1f], s.Std);
        Assert.Equal([-1f, 0f, 1f, 0f], data.Features.ToArray());
    }

    [Fact]
    public void Global_apply_gives_zero_mean_and_unit_std_on_the_training_set()
    {
        var data = DataFixtures.Indexed(40, features: 5);

        Standardizer.Fit(data).Apply(data);

        var x = data.Features.ToArray();
        double mean = x.Average();
        double std = Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average());
        Assert.Equal(0, mean, 5);
        Assert.Equal(1, std, 5);
    }

    [Fact]
    public void Saved_statistics_rebuild_a_standardizer_that_gives_the_same_result()
    {
        var fitted = Standardizer.Fit(Toy(), StandardizationMode.PerFeature);
        var restored = new Standardizer(fitted.Mean.ToArray(), fitted.Std.ToArray());
        var a = Toy();
        var b = Toy();

        fitted.Apply(a);
        restored.Apply(b);

        Assert.Equal(a.Features.ToArray(), b.Features.ToArray());
    }

    [Fact]
    public void Apply_rejects_per_feature_statistics_of_another_width()
    {
        var s = new Standardizer([0f, 0f, 0f], [1f, 1f, 1f]);

        var e = Assert.Throws<ArgumentException>(() => s.Apply(Toy()));

        Assert.Equal("features", e.ParamName);
    }

    [Fact]
    public void Constructor_rejects_a_non_positive_std()
    {
        var e = Assert.Throws<ArgumentException>(() => new Standardizer([0f], [0f]));

        Assert.Equal("std", e.ParamName);
    }

    [Fact]
    public void Transform_maps_one_raw_value_like_apply_and_refuses_per_feature_statistics()
    {
        var global = new Standardizer([0.25f], [0.5f]);
        var features = Tensor.FromArray([0f, 1f], 1, 2);
        global.Apply(features);
        Assert.Equal(features.ToArray()[0], global.Transform(0f));
        Assert.Equal(features.ToArray()[1], global.Transform(1f));
        Assert.Throws<InvalidOperationException>(() => new Standardizer([0f, 1f], [1f, 2f]).Transform(0f));
    }
}
