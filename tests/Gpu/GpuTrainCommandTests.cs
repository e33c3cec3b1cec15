using System.Globalization;
using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Data;
using TinyKd.Distill.Models;
using TinyKd.Gpu;
using TinyKd.Tests.Cli;

namespace TinyKd.Tests.Gpu;

// tinykd train/distill --device: the same run on ILGPU's CPU accelerator as on the CPU backend, and a clear error for a device
// that is not there.
public sealed class GpuTrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-device-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private (string Output, double Accuracy) Train(string device)
    {
        string train = OwnDataFiles.WriteCsv(File("train.csv"), 120, seed: 1), test = OwnDataFiles.WriteCsv(File("test.csv"), 60, seed: 2);
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(["--data", train, "--test", test, "--model", "16", "--dropout", "0.1", "--epochs", "4",
            "--batch-size", "32", "--lr", "0.01", "--device", device, "--out", File($"{device}.tkd")], output));
        return (output.ToString(), TestAccuracy(output.ToString()));
    }

    // The fraction on the "test: accuracy NN.NN%" line of a command's output.
    private static double TestAccuracy(string text)
    {
        string line = text.Split('\n').First(l => l.StartsWith("test: accuracy ", StringComparison.Ordinal));
        return double.Parse(line["test: accuracy ".Length..line.IndexOf('%')], CultureInfo.InvariantCulture) / 100;
    }

    [Fact]
    public void Train_on_the_ilgpu_cpu_device_reaches_the_cpu_accuracy_and_saves_a_model_that_loads()
    {
        var (cpuOutput, cpu) = Train("cpu");
        var (gpuOutput, gpu) = Train("ilgpu-cpu");
        Assert.Contains("training on ilgpu-cpu", gpuOutput);
        Assert.DoesNotContain("training on", cpuOutput);
        Assert.True(Math.Abs(cpu - gpu) <= 0.01, $"test accuracy {gpu} on ilgpu-cpu, {cpu} on the CPU");
        Assert.Equal("12-16-3", ModelFile.Load(File("ilgpu-cpu.tkd")).Model.Spec.ToString());
    }

    [Fact]
    public void Distill_on_the_ilgpu_cpu_device_reaches_the_cpu_accuracy_with_the_teacher_moved_there()
    {
        Train("cpu");
        (string Output, double Accuracy) Distil(string device)
        {
            var output = new StringWriter();
            Assert.Equal(0, DistillCommand.Run(["--data", File("train.csv"), "--test", File("test.csv"), "--teacher", File("cpu.tkd"),
                "--student", "8", "--epochs", "4", "--batch-size", "32", "--lr", "0.01", "--device", device, "--out", File($"student-{device}.tkd")], output));
            return (output.ToString(), TestAccuracy(output.ToString()));
        }
        var (cpuOutput, cpu) = Distil("cpu");
        var (gpuOutput, gpu) = Distil("ilgpu-cpu");
        Assert.Contains("distilling on ilgpu-cpu", gpuOutput);
        Assert.DoesNotContain("distilling on", cpuOutput);
        Assert.True(Math.Abs(cpu - gpu) <= 0.01, $"test accuracy {gpu} on ilgpu-cpu, {cpu} on the CPU");
        Assert.Equal("12-8-3", ModelFile.Load(File("student-ilgpu-cpu.tkd")).Model.Spec.ToString());
    }

    [Fact]
    public void Eval_on_the_ilgpu_cpu_device_prints_the_cpu_metrics_and_logits()
    {
        Train("cpu");
        string Eval(string device)
        {
            var output = new StringWriter();
            Assert.Equal(0, EvalCommand.Run([File("cpu.tkd"), "--data", File("train.csv"), "--test", File("test.csv"), "--device", device,
                "--logits-out", File($"logits-{device}.npy")], output));
            return output.ToString();
        }
        string cpu = Eval("cpu"), gpu = Eval("ilgpu-cpu");
        Assert.Contains("evaluating on ilgpu-cpu", gpu);
        Assert.DoesNotContain("evaluating on", cpu);
        Assert.Equal(TestAccuracy(cpu), TestAccuracy(gpu));
        float[] cpuLogits = NpyFile.ReadFloat32Matrix(File("logits-cpu.npy"), out _, out _);
        float[] gpuLogits = NpyFile.ReadFloat32Matrix(File("logits-ilgpu-cpu.npy"), out _, out _);
        Assert.Equal(cpuLogits.Length, gpuLogits.Length);
        for (int i = 0; i < cpuLogits.Length; i++)
            Assert.True(Math.Abs(cpuLogits[i] - gpuLogits[i]) <= 1e-4f * (1 + Math.Abs(cpuLogits[i])), $"logit {i}: {gpuLogits[i]} on ilgpu-cpu, {cpuLogits[i]} on the CPU");
    }

    [Fact]
    public void Eval_of_an_int8_model_on_a_device_is_a_usage_error_naming_the_file()
    {
        Train("cpu");
        var quantizeOutput = new StringWriter();
        int code = QuantizeCommand.Run([File("cpu.tkd"), "--data", File("train.csv"), "--test", File("test.csv"), "--out", File("int8.tkd")], quantizeOutput);
        Assert.True(code == 0, quantizeOutput.ToString());
        var e = Assert.Throws<UsageException>(() => EvalCommand.Run([File("int8.tkd"), "--data", File("train.csv"), "--test", File("test.csv"),
            "--device", "ilgpu-cpu"], TextWriter.Null));
        Assert.Contains("--device ilgpu-cpu", e.Message);
        Assert.Contains("int8.tkd", e.Message);
    }

    [Fact]
    public void An_absent_device_is_a_usage_error_listing_the_devices_found()
    {
        IReadOnlyList<string> found = GpuCompute.AvailableDevices();
        string? absent = new[] { ("cuda", "Cuda"), ("opencl", "OpenCL") }
            .FirstOrDefault(d => !found.Any(f => f.StartsWith(d.Item2 + ":", StringComparison.Ordinal))).Item1;
        if (absent is null)
        {
            using var cuda = GpuCompute.Create(GpuDevice.Cuda); // both kinds present: then the device opens
            Assert.Equal("cuda", cuda.Name);
            return;
        }
        var e = Assert.Throws<UsageException>(() => Train(absent));
        Assert.Contains($"--device {absent}", e.Message);
        Assert.Contains("CPU: ", e.Message);
        Assert.Contains("must be one of", Assert.Throws<UsageException>(() => Train("tpu")).Message);
    }
}
