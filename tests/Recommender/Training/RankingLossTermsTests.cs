using TinyKd.Autograd;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Training;

/// <summary>
/// The training losses over a [B, W] candidate score matrix: each value against the formula written out in double
/// precision, and each gradient by finite differences (BPR, sampled softmax and the three distillation terms).
/// </summary>
public class RankingLossTermsTests
{
    private const int Rows = 3, Negatives = 2, List = 1 + Negatives;

    private static RecommenderTrainingOptions Options(RankingLoss loss, RankingDistillation distillation) => new()
    {
        BatchSize = 4, Negatives = Negatives, Loss = loss, Distillation = distillation, Alpha = 0.3f, Temperature = 2f,
        RankSamples = 2, ListExtra = 3,
    };

    // A teacher over 4 users × 9 items with distinct scores, and candidate lists that name them.
    private static (TeacherScores Teacher, int[] Users, int[] Items) Candidates(int width)
    {
        float[] matrix = Check.Random(11, -3f, 3f, 4, 9).ToArray();
        var users = new int[Rows * width];
        var items = new int[Rows * width];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < width; c++)
            {
                users[r * width + c] = r + 1;
                items[r * width + c] = (r * 5 + c * 2) % 9;
            }
        return (new TeacherScores(matrix, 4, 9), users, items);
    }

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double Bce(double x, double y) => Math.Max(x, 0) - x * y + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double Hard(RankingLoss loss, float[] s, int width)
    {
        double sum = 0;
        for (int r = 0; r < Rows; r++)
        {
            double pos = s[r * width];
            switch (loss)
            {
                case RankingLoss.Bce:
                    for (int c = 0; c < List; c++) sum += Bce(s[r * width + c], c == 0 ? 1 : 0) / (Rows * List);
                    break;
                case RankingLoss.Bpr:
                    for (int c = 1; c < List; c++) sum += Softplus(s[r * width + c] - pos) / (Rows * Negatives);
                    break;
                default:
                    double max = Enumerable.Range(0, List).Max(c => (double)s[r * width + c]);
                    double logSum = max + Math.Log(Enumerable.Range(0, List).Sum(c => Math.Exp(s[r * width + c] - max)));
                    sum += (logSum - pos) / Rows;
                    break;
            }
        }
        return sum;
    }

    private static double Term(RankingDistillation kind, float[] s, int width, TeacherScores teacher, int[] users, int[] items)
    {
        const double t = 2, alphaFree = 1;
        double sum = 0;
        for (int r = 0; r < Rows; r++)
        {
            double Teacher(int c) => teacher[users[r * width + c], items[r * width + c]];
            switch (kind)
            {
                case RankingDistillation.SoftBce:
                    for (int c = 0; c < List; c++) sum += t * t * Bce(s[r * width + c] / t, 1 / (1 + Math.Exp(-Teacher(c) / t))) / (Rows * List);
                    break;
                case RankingDistillation.Listwise:
                {
                    double[] ps = Enumerable.Range(0, width).Select(c => s[r * width + c] / t).ToArray();
                    double[] pt = Enumerable.Range(0, width).Select(c => Teacher(c) / t).ToArray();
                    double zs = Math.Log(ps.Sum(Math.Exp)), zt = Math.Log(pt.Sum(Math.Exp));
                    for (int c = 0; c < width; c++) sum += t * t * Math.Exp(pt[c] - zt) * ((pt[c] - zt) - (ps[c] - zs)) / Rows;
                    break;
                }
                default:
                    for (int c = List; c < width; c++) sum += alphaFree * Softplus(-s[r * width + c]) / (Rows * (width - List) * List);
                    break;
            }
        }
        return sum;
    }

    [Theory]
    [InlineData(RankingLoss.Bce, RankingDistillation.None)]
    [InlineData(RankingLoss.Bpr, RankingDistillation.None)]
    [InlineData(RankingLoss.SampledSoftmax, RankingDistillation.None)]
    [InlineData(RankingLoss.Bce, RankingDistillation.SoftBce)]
    [InlineData(RankingLoss.Bce, RankingDistillation.RankDistill)]
    [InlineData(RankingLoss.Bce, RankingDistillation.Listwise)]
    [InlineData(RankingLoss.Bpr, RankingDistillation.Listwise)]
    public void Loss_equals_the_formula_and_passes_gradcheck(RankingLoss loss, RankingDistillation distillation)
    {
        RecommenderTrainingOptions options = Options(loss, distillation);
        var terms = new RankingLossTerms(options, CpuCompute.Default);
        int width = terms.Width;
        var (teacher, users, items) = Candidates(width);
        Tensor scores = Check.Random(5, -2f, 2f, Rows, width);

        var graph = new Graph();
        float value = terms.Loss(graph, graph.Input(scores), teacher, users, items).Item();
        float[] s = scores.ToArray();
        double expected = Hard(loss, s, width);
        if (distillation != RankingDistillation.None)
            expected = (1 - options.Alpha) * expected + options.Alpha * Term(distillation, s, width, teacher, users, items);
        Assert.Equal(expected, value, 5);

        GradCheckResult r = GradCheck.Check(v => terms.Loss(v[0].Graph!, v[0], teacher, users, items), [scores]);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Narrow_passes_gradcheck()
    {
        GradCheckResult r = GradCheck.Check(v => Ops.Narrow(v[0], 1, 1, 3), [Check.Random(2, -1f, 1f, 3, 5)]);
        Assert.True(r.Passed, r.ToString());
        var graph = new Graph();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Narrow(graph.Input(Tensor.Zeros(2, 4)), 1, 3, 2));
        Assert.Contains("[3, 5) is outside axis 1", error.Message);
    }
}
