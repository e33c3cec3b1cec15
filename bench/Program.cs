using BenchmarkDotNet.Running;
using TinyKd.Bench;
using TinyKd.Distill.Reports;
using TinyKd.Tensors.Cpu;

// Every suite is a class picked by BenchmarkSwitcher: `dotnet run -c Release --project bench -- --filter '*Gemm*'`.
// `--quick` swaps the default job for BenchmarkDotNet's ShortRun (3 warm-ups, 3 iterations) to see the whole suite
// in a few minutes; every other argument goes to BenchmarkDotNet unchanged.
// `--crossover` prints the measured dense/sparse crossover of the MLP layers (SparseCrossoverReport) instead.
// `--cold-start` times the first calls of fresh processes (ColdStartReport), each started as `--cold-start-child`.
if (args.Contains(SparseCrossoverReport.Flag))
{
    SparseCrossoverReport.Run(Console.Out);
    return 0;
}
if (args.Length == 3 && args[0] == ColdStartReport.ChildFlag)
{
    ColdStartReport.RunChild(args[1], args[2], Console.Out);
    return 0;
}
if (args.Contains(ColdStartReport.Flag))
{
    ColdStartReport.Run(Console.Out);
    return 0;
}

// The header names what the numbers depend on: the CPU model and the kernel path (TINYKD_KERNELS is inherited by the
// benchmark processes BenchmarkDotNet starts, so they run the same path).
Console.WriteLine($"TinyKd benchmarks on {MachineDescription.CpuModel}, kernels {CpuKernels.Path} (widest here: {CpuKernels.Best})");
Console.WriteLine($"CPU: {CpuFamily.Description}; GEMM on {CpuKernels.Path}: {CpuKernels.DescribeGemm(CpuKernels.Path)}");

bool quick = args.Contains(BenchConfig.QuickFlag);
string[] rest = args.Where(a => a != BenchConfig.QuickFlag).ToArray();

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(rest, BenchConfig.Create(quick));

// A benchmark whose setup threw (a GEMM that failed validation) must not look like a successful run.
bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
