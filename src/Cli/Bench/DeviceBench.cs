using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using TinyKd.Autograd.Nn;
using TinyKd.Gpu;
using TinyKd.Tensors;

namespace TinyKd.Cli.Bench;

/// <summary>What <c>tinykd bench --device</c> times.</summary>
/// <param name="Squares">The sizes N of the square SGEMMs N×N×N.</param>
/// <param name="Batches">The batches of the teacher's train step and the student's KD step.</param>
/// <param name="Teacher">The teacher's widths; its layer products at batch <see cref="BenchCases.TrainBatch"/> are the MLP GEMM rows.</param>
/// <param name="Student">The student's widths.</param>
internal sealed record DeviceBenchPlan(IReadOnlyList<int> Squares, IReadOnlyList<int> Batches, string Teacher, string Student);

/// <summary>
/// <c>tinykd bench --device NAME</c>: the device's SGEMM — the readable tiled kernel and the register-blocked one —
/// at the plan's square sizes and the teacher's layer products, then the teacher's train step and the student's KD
/// step at each batch, everything on the device (operands, model, optimizer state), each timed after a warm-up with
/// the device synchronised inside the clock. The CPU-only rows of the CPU bench (FMA peak, sparse, int8) are not run.
/// </summary>
internal static class DeviceBench
{
    /// <summary>
    /// Runs the plan on <paramref name="device"/>, writing the table to <paramref name="output"/> a row at a time (a
    /// run cut short, or a device that fails part-way, still shows what was measured).
    /// </summary>
    public static DeviceBenchReport Run(GpuCompute device, DeviceBenchPlan plan, BenchBudget budget, TextWriter output)
    {
        var report = new DeviceBenchReport(device.Name, device.DeviceName, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, []);
        WriteHeader(output, report);
        var results = new List<BenchResult>();
        void Add(BenchResult result)
        {
            results.Add(result);
            WriteRow(output, result);
        }
        foreach (GemmCase gemm in Gemms(plan))
            foreach (GemmVersion version in Enum.GetValues<GemmVersion>())
            {
                // The version GpuCompute.Gemm (what training runs) picks for the shape is marked "(default)".
                BenchResult result = gemm.RunOn(device, version, budget);
                Add(version == device.ChooseGemm(gemm.M, gemm.N, gemm.K) ? result with { What = result.What + " (default)" } : result);
            }
        foreach (int batch in plan.Batches)
        {
            Add(new ModelCase($"train_teacher_b{batch}", $"train step {plan.Teacher} b{batch}", ModelWorkload.Train, plan.Teacher, batch)
                .RunOn(device, budget));
            Add(new ModelCase($"distill_student_b{batch}", $"KD step {plan.Student} b{batch}", ModelWorkload.Distill, plan.Student, batch)
                .RunOn(device, budget));
        }
        return report with { Results = results };
    }

    // The square SGEMMs, then the teacher's layer products at the training batch (the CPU bench's MLP rows).
    private static IEnumerable<GemmCase> Gemms(DeviceBenchPlan plan)
    {
        foreach (int n in plan.Squares)
            yield return new GemmCase($"gemm_{n}", $"SGEMM {n}×{n}×{n}", n, n, n, Transpose.No, Transpose.No);
        int[] sizes = MlpSpec.Parse(plan.Teacher).Sizes;
        var layers = Enumerable.Range(0, sizes.Length - 1).Select(l => (sizes[l], sizes[l + 1])).ToList();
        foreach (GemmCase product in GemmCase.LayerProducts(layers, BenchCases.TrainBatch)) yield return product;
    }

    // The device line, the note on skipped rows and the table's head.
    private static void WriteHeader(TextWriter output, DeviceBenchReport report)
    {
        output.WriteLine(Invariant($"tinykd bench --device {report.Device}: {report.DeviceName}; {report.Runtime} on {report.Os}"));
        output.WriteLine($"FMA peak, sparse and int8 rows: skipped on {report.Device} (they run on the CPU backend only; `tinykd bench` without --device times them)");
        output.WriteLine("each row: median of the repetitions after a warm-up, the device synchronised inside the clock; GEMMs checked on a sample of C");
        output.WriteLine();
        output.WriteLine($"{"what",-48} {"time",10} {"GFLOP/s",9} {"ms/step",8} {"kernels",8} {"copies",7}");
        output.WriteLine(new string('-', 48 + 10 + 9 + 8 + 8 + 7 + 5));
        output.Flush();
    }

    private static void WriteRow(TextWriter output, BenchResult r)
    {
        string step = r.MsPerStep is { } ms ? Invariant($"{ms:F3}") : "";
        string launches = r.KernelLaunches?.ToString(CultureInfo.InvariantCulture) ?? "", copies = r.HostCopies?.ToString(CultureInfo.InvariantCulture) ?? "";
        string note = r.Valid == false ? "  WRONG RESULT (sampled check against a double-precision dot product failed)" : "";
        output.WriteLine(Invariant($"{r.What,-48} {BenchTable.Time(r.Seconds),10} {r.Gflops,9:F1} {step,8} {launches,8} {copies,7}{note}"));
        output.Flush();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Everything one <c>tinykd bench --device</c> run measured, as written by <c>--json</c>.</summary>
/// <param name="Device">The device option's name (<c>cuda</c>, <c>opencl</c>, <c>ilgpu-cpu</c>).</param>
/// <param name="DeviceName">The accelerator's name as ILGPU reports it.</param>
/// <param name="Runtime">The .NET runtime's description.</param>
/// <param name="Os">The operating system's description.</param>
/// <param name="Results">The timed workloads in table order.</param>
internal sealed record DeviceBenchReport(string Device, string DeviceName, string Runtime, string Os, IReadOnlyList<BenchResult> Results)
{
    /// <summary>Writes the report as JSON to <paramref name="path"/> (the CPU bench's field names).</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, BenchReport.JsonOptions) + "\n");
}
