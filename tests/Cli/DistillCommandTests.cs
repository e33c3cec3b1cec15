using TinyKd.Cli;
using TinyKd.Cli.Commands;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Cli;

// tinykd distill end to end on the embedded sample, and its argument errors.
public sealed class DistillCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-distill-").FullName;
    private readonly string _teacher;

    public DistillCommandTests()
    {
        _teacher = Path.Combine(_dir, "teacher.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-64-10", "--dropout", "0", "--epochs", "1", "--out", _teacher], TextWriter.Null));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData("--temperature", "0", "--temperature", "> 0")]
    [InlineData("--temperature", "-2", "--temperature", "> 0")]
    [InlineData("--temperature", "linear:4", "--temperature", "'linear:4'")]
    [InlineData("--alpha", "1.5", "--alpha", "[0, 1]")]
    [InlineData("--alpha", "-0.1", "--alpha", "[0, 1]")]
    [InlineData("--student", "784-32-5", "output width 5", "784-32-5")]
    [InlineData("--student", "100-16-10", "input width 100", "784")]
    [InlineData("--hint-layers", "1-1", "--hint-layers", "I:J")]
    [InlineData("--hint-layers", "2:1", "--hint-layers 2:1", "no hidden layer 2")]
    [InlineData("--teacher-weights", "1,2", "2 weights for 1 teachers", "--teacher-weights")]
    [InlineData("--omit-class", "10", "--omit-class 10", "0..9")]
    public void Bad_arguments_are_usage_errors_naming_them(string option, string value, string fragment, string fragment2)
    {
        var e = Assert.Throws<UsageException>(() => DistillCommand.Run(["--teacher", _teacher, option, value, "--out", File("s.tkd")], TextWriter.Null));
        Assert.Contains(fragment, e.Message);
        Assert.Contains(fragment2, e.Message);
    }

    [Fact]
    public void No_teacher_is_a_usage_error() =>
        Assert.Contains("--teacher", Assert.Throws<UsageException>(() => DistillCommand.Run(["--epochs", "1"], TextWriter.Null)).Message);

    [Fact]
    public void A_missing_data_folder_names_it_and_where_the_full_set_comes_from()
    {
        var e = Assert.ThrowsAny<IOException>(() => DistillCommand.Run(["--teacher", _teacher, "--data", File("nowhere")], TextWriter.Null));
        Assert.Contains("nowhere", e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Teacher_logits_of_the_wrong_length_are_refused_naming_the_file()
    {
        string npy = File("short.npy");
        TinyKd.Distill.Data.NpyFile.WriteFloat32Matrix(npy, new float[30], 3, 10);
        var e = Assert.Throws<InvalidDataException>(() => DistillCommand.Run(["--teacher-logits", npy, "--epochs", "1", "--out", File("s.tkd")], TextWriter.Null));
        Assert.Contains("short.npy", e.Message);
        Assert.Contains("[3, 10]", e.Message);
        Assert.Contains("10000", e.Message);
    }

    [Fact]
    public void Distilling_from_exported_logits_equals_distilling_from_the_model()
    {
        string npy = File("teacher.npy");
        Assert.Equal(0, EvalCommand.Run([_teacher, "--logits-out", npy], TextWriter.Null));
        string fromModel = File("a.tkd"), fromLogits = File("b.tkd");
        string[] common = ["--student", "784-16-10", "--epochs", "1", "--labelled", "1000", "--alpha", "0.5"];
        Assert.Equal(0, DistillCommand.Run([.. common, "--teacher", _teacher, "--out", fromModel], TextWriter.Null));
        Assert.Equal(0, DistillCommand.Run([.. common, "--teacher-logits", npy, "--out", fromLogits], TextWriter.Null));
        float[] a = ModelFile.Load(fromModel).Model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
        float[] b = ModelFile.Load(fromLogits).Model.Parameters().SelectMany(p => p.Data.ToArray()).ToArray();
        // The same logits reach the loss either way; batching the teacher differently may move the last bit.
        TinyKd.Tests.Support.Check.Close(a, b, 1e-5, 1e-4, "students distilled from the model and from its exported logits");
    }

    [Fact]
    public void Omitting_a_class_reports_the_students_recall_on_it()
    {
        var output = new StringWriter();
        Assert.Equal(0, DistillCommand.Run(["--teacher", _teacher, "--student", "784-16-10", "--epochs", "2", "--omit-class", "1", "--out", File("s.tkd")], output));
        Assert.Contains("class 1 (Trouser) was left out of the transfer set", output.ToString());
        Assert.Contains("recall", output.ToString());
    }

    [Fact]
    public void Two_teachers_hint_and_logit_matching_run_together_and_save_the_student()
    {
        var output = new StringWriter();
        string second = File("teacher2.tkd");
        Assert.Equal(0, TrainCommand.Run(["--model", "784-32-10", "--dropout", "0", "--epochs", "1", "--seed", "2", "--out", second], TextWriter.Null));
        Assert.Equal(0, DistillCommand.Run(["--teacher", _teacher, "--teacher", second, "--teacher-weights", "2,1", "--student", "784-16-10",
            "--hint-layers", "1:1", "--logit-weight", "0.1", "--temperature", "cosine:8:2", "--epochs", "1", "--out", File("s.tkd")], output));
        var saved = ModelFile.Load(File("s.tkd"));
        Assert.Equal("distilled", saved.Metadata["stage"]);
        Assert.Contains("hint 1:1", saved.Metadata["distillation"]);
        Assert.NotNull(saved.Standardizer);
    }

    [Fact]
    public void An_unlabelled_images_file_joins_the_transfer_set()
    {
        string images = File("extra-images.idx");
        var (train, _) = TinyKd.Samples.FashionMnistSample.Load();
        byte[] pixels = train.Features.ToArray().Take(300 * 784).Select(v => (byte)Math.Round(v * 255)).ToArray();
        TinyKd.Distill.Data.IdxWriter.WriteImages(images, new TinyKd.Distill.Data.IdxImages(pixels, 300, 28, 28));
        var output = new StringWriter();
        Assert.Equal(0, DistillCommand.Run(["--teacher", _teacher, "--student", "784-16-10", "--epochs", "1", "--labelled", "1000",
            "--unlabelled", images, "--split", "random", "--out", File("s.tkd")], output));
        Assert.Contains("10,200 transfer samples (900 labelled)", output.ToString());
    }
}
