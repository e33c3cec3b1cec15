using TinyKd.Cli.Commands;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Cli;

// A PyTorch-format teacher used where a .tkd goes: `tinykd distill --teacher t.safetensors` (and eval, prune and
// quantize through the same loader) behaves exactly as with the .tkd it was exported from.
public sealed class SafeTensorsTeacherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-st-teacher-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Distilling_from_the_safetensors_export_of_a_teacher_gives_the_same_student_bit_for_bit()
    {
        string tkd = File("teacher.tkd"), safetensors = File("teacher.safetensors");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-48-10", "--epochs", "1", "--seed", "3", "--out", tkd], TextWriter.Null));
        Assert.Equal(0, ExportCommand.Run([tkd, "--safetensors", safetensors], TextWriter.Null));

        string fromTkd = File("student-a.tkd"), fromSafeTensors = File("student-b.tkd");
        string[] recipe = ["--student", "784-16-10", "--epochs", "1", "--seed", "5"];
        Assert.Equal(0, DistillCommand.Run([.. recipe, "--teacher", tkd, "--out", fromTkd], TextWriter.Null));
        Assert.Equal(0, DistillCommand.Run([.. recipe, "--teacher", safetensors, "--out", fromSafeTensors], TextWriter.Null));

        var a = ModelFile.Load(fromTkd).Model.StateDict();
        var b = ModelFile.Load(fromSafeTensors).Model.StateDict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (string name in a.Keys) Assert.Equal(a[name].ToArray(), b[name].ToArray());

        var tkdEval = new StringWriter();
        var safetensorsEval = new StringWriter();
        Assert.Equal(0, EvalCommand.Run([tkd], tkdEval));
        Assert.Equal(0, EvalCommand.Run([safetensors], safetensorsEval));
        string Metrics(StringWriter w) => w.ToString().Split('\n').First(l => l.StartsWith("test:", StringComparison.Ordinal));
        Assert.Equal(Metrics(tkdEval), Metrics(safetensorsEval));
    }

    [Fact]
    public void A_safetensors_teacher_loads_with_its_stage_and_source_and_a_broken_one_is_refused_naming_it()
    {
        string fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", "torch-mlp.safetensors");
        SavedModel saved = SafeTensorsImport.LoadModel(fixture);
        Assert.Equal("20-16-12-5", saved.Model.Spec.ToString());
        Assert.Equal("imported", saved.Metadata["stage"]);
        Assert.Equal(fixture, saved.Metadata["imported_from"]);
        Assert.Equal(ActivationSource.Default, SafeTensorsImport.Load(fixture).Source);

        string broken = File("broken.safetensors");
        System.IO.File.WriteAllBytes(broken, [1, 2, 3]);
        Assert.Contains(broken, Assert.Throws<InvalidDataException>(() => DistillCommand.Run(["--teacher", broken, "--out", File("s.tkd")], TextWriter.Null)).Message);
    }
}
