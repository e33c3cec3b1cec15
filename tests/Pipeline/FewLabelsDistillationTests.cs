using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Pipeline;
using TinyKd.Distill.Reports;
using TinyKd.Samples;
using TinyKd.Tests.Data;
using Xunit.Abstractions;

namespace TinyKd.Tests.Pipeline;

// The claim the pipeline exists to check, on the embedded sample: with few labels and the rest of the images as an
// unlabelled transfer set, the distilled student beats the same student trained alone (same seed, same budget) by
// more than the seed spread (paired by seed: a seed fixes the labelled subset, the initial weights and the batch order).
// The claim holds with each model's best validation epoch kept (--keep-best); with the last epoch, the pipeline's
// default, this recipe ties (−0.47 pp, seed spread 0.71 pp), so the test states the recipe it checks.
public class FewLabelsDistillationTests(ITestOutputHelper output)
{
    [Fact]
    public void With_few_labels_and_the_best_epochs_kept_the_distilled_student_beats_the_student_alone_by_more_than_the_seed_spread()
    {
        var (train, test) = FashionMnistSample.Load();
        var standardizer = Standardizer.Fit(train);
        standardizer.Apply(train);
        standardizer.Apply(test);
        var options = new PipelineOptions
        {
            Teacher = MlpSpec.Parse("784-512-10", Activation.Relu, 0.5f),
            Student = MlpSpec.Parse("784-32-10"),
            TeacherEpochs = 10,
            StudentEpochs = 10,
            Labelled = 1000,
            Seeds = [1, 2, 3],
            Scenarios = [Scenario.FewLabels],
            Temperatures = [4f],
            Alphas = [0.5f],
            PruneSparsities = [],
            KeepBest = true,
        };
        using var dir = new TempDirectory();
        var log = new StringWriter();
        ScenarioReport report = new DistillationPipeline(options, log).Run(train, test, dir.Path).Single();
        output.WriteLine(log.ToString());
        var (alone, distilled) = (report.Models[1].Accuracy, report.Models[2].Accuracy);
        output.WriteLine($"alone {alone.Mean:P2} ± {alone.Std:P2}, distilled {distilled.Mean:P2} ± {distilled.Std:P2}: {report.Comparison}");
        Assert.Equal("wins", report.Comparison.Verdict);
        Assert.True(report.Comparison.GainPoints > report.Comparison.SpreadPoints,
            $"gain {report.Comparison.GainPoints:F2} pp is within the seed spread {report.Comparison.SpreadPoints:F2} pp");
    }
}
