using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace TinyKd.Bench;

/// <summary>The job and table style shared by every suite; the per-suite columns live beside each suite.</summary>
public static class BenchConfig
{
    /// <summary>The command-line switch that selects the short job.</summary>
    public const string QuickFlag = "--quick";

    /// <summary>Parameter values wider than this are cut in the tables ("Block(...)x784"); GEMM cases need ~26.</summary>
    private const int ParameterColumnWidth = 36;

    /// <summary>
    /// The default job is bounded (4 warm-ups, 12 measured iterations, one launch) instead of BenchmarkDotNet's
    /// adaptive default, which may run up to 100 iterations per case; <c>--quick</c> uses ShortRun (3 + 3).
    /// Either is marked "as default", so a <c>--job</c> on the command line still replaces it.
    /// </summary>
    public static IConfig Create(bool quick)
    {
        Job job = quick
            ? Job.ShortRun
            : Job.Default.WithLaunchCount(1).WithWarmupCount(4).WithIterationCount(12).WithId("Bounded");
        return DefaultConfig.Instance
            .AddJob(job.AsDefault())
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(ParameterColumnWidth));
    }
}
