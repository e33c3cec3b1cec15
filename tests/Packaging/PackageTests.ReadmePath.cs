using System.Globalization;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Training;
using TinyKd.Samples;
using TinyKd.Tensors;

namespace TinyKd.Tests.Packaging;

// Issue 16's "done means": the README's "From a PyTorch teacher to ONNX Runtime, in C#" walked as a user would —
// packages from the feed, a PyTorch teacher in, a distilled student out as ONNX, served by ONNX Runtime.
public sealed partial class PackageTests
{
    private const string PathSection = "## From a PyTorch teacher to ONNX Runtime, in C#";

    [Fact]
    public void The_readme_path_imports_a_pytorch_teacher_distils_and_exports_a_student_that_onnx_runtime_serves()
    {
        string app = Directory.CreateDirectory(Path.Combine(feed.Root, "kd-app")).FullName;
        var (train, test) = FashionMnistSample.Load();
        var teacher = new Mlp(MlpSpec.Parse("784-64-10"), new Rng(3));
        new Trainer(teacher, new TrainingOptions { Epochs = 1, Seed = 3 }).Fit(train);
        // What safetensors.torch.save_file(model.state_dict(), path) writes for nn.Sequential(Linear, ReLU, Linear):
        // PyTorch's names and layout, format "pt", and none of TinyKd's tinykd.* metadata.
        SafeTensorsFile.Write(Path.Combine(app, "teacher.safetensors"), SafeTensorsModel.StateDict(teacher),
            new Dictionary<string, string> { ["format"] = "pt" });

        string output = BuildAndRun("kd-app", ReadmeCSharp(PathSection, "Epochs = 5", "Epochs = 1"));

        Match printed = PathAccuracies().Match(output);
        Assert.True(printed.Success, $"the README's path printed no accuracies:\n{output}");
        Assert.Equal(Percent(Evaluation.Run(teacher, test).Accuracy), printed.Groups["teacher"].Value); // the teacher it imported is the one written
        double student = double.Parse(printed.Groups["student"].Value, CultureInfo.InvariantCulture);
        Assert.True(student > 50, $"the distilled student scored {student}% after one epoch (seed 1); chance is 10%");

        // Step 4, serving: ONNX Runtime on the student.onnx the program wrote, over the same 2,000 test images.
        using var session = new InferenceSession(Path.Combine(app, "student.onnx"));
        var input = new DenseTensor<float>(test.Features.ToArray(), [test.Count, test.FeatureCount]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        float[] logits = [.. results.First(r => r.Name == "logits").AsTensor<float>()];
        int correct = Enumerable.Range(0, test.Count).Count(i => TensorPrimitives.IndexOfMax(logits.AsSpan(i * 10, 10)) == test.Labels[i]);
        Assert.Equal(printed.Groups["student"].Value, Percent((double)correct / test.Count));
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"test accuracy: teacher (?<teacher>[0-9]+\.[0-9]{2}) ?%, student (?<student>[0-9]+\.[0-9]{2}) ?%")]
    private static partial Regex PathAccuracies();
}
