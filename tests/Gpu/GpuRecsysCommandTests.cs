using System.Globalization;
using System.Text.RegularExpressions;
using TinyKd.Cli.Commands;

namespace TinyKd.Tests.Gpu;

// tinykd recsys pipeline --device: the same tiny run on ILGPU's CPU accelerator as on the CPU backend. Each model's
// last training loss is printed to 4 decimals; the runs differ only by float sums in another order (and, for the
// sampled softmax, not at all here), so the printed losses agree within 2e-3.
[Collection(IlgpuCpuCollection.Name)]
public sealed partial class GpuRecsysCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-recsys-gpu-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Recsys_pipeline_on_the_ilgpu_cpu_device_trains_every_model_to_the_cpu_losses()
    {
        string csv = Path.Combine(_dir, "tiny.csv");
        Assert.Equal(0, RecsysCommand.Run(["synth", "--out", csv, "--seed", "3", "--users", "40", "--movies", "60", "--ratings-per-user", "20"], TextWriter.Null));
        double[] Losses(string device, out string text)
        {
            var output = new StringWriter();
            Assert.Equal(0, RecsysCommand.Run(["pipeline", "--data", csv, "--seeds", "1", "--epochs", "1", "--teacher", "8:2:8", "--student", "4:2:4",
                "--mf-width", "4", "--distill", "soft-bce", "--no-curves", "--device", device, "--report", Path.Combine(_dir, device)], output));
            text = output.ToString();
            return [.. LossPattern().Matches(text).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
        }
        double[] cpu = Losses("cpu", out _), gpu = Losses("ilgpu-cpu", out string gpuText);
        Assert.Contains("training on ilgpu-cpu", gpuText);
        Assert.Equal(5, cpu.Length); // teacher, mf, mf + soft-bce, neumf-4, neumf-4 + soft-bce
        Assert.Equal(cpu.Length, gpu.Length);
        for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 2e-3, $"model {i}: loss {cpu[i]} on the CPU, {gpu[i]} on the device");
    }

    [GeneratedRegex(@"^seed 1 .* loss (\d+\.\d+) ", RegexOptions.Multiline)]
    private static partial Regex LossPattern();
}
