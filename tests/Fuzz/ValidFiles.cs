using System.IO.Compression;
using System.Text;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Recommender;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Data;

namespace TinyKd.Tests.Fuzz;

/// <summary>Small valid files of every format TinyKd reads, written by TinyKd's own writers: the seeds of the fuzz tests.</summary>
internal static class ValidFiles
{
    /// <summary>A raw IDX images file: 5 images of 4×3.</summary>
    public static byte[] IdxImages() => DataFixtures.RawImages(DataFixtures.Images(5, rows: 4, columns: 3));

    /// <summary>A raw IDX labels file of 12 labels.</summary>
    public static byte[] IdxLabels()
    {
        using var memory = new MemoryStream();
        IdxWriter.WriteLabels(memory, DataFixtures.Labels(12));
        return memory.ToArray();
    }

    /// <summary><paramref name="raw"/> gzip-compressed.</summary>
    public static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(raw);
        return memory.ToArray();
    }

    /// <summary>A .npy file of a [3, 4] float32 matrix.</summary>
    public static byte[] Npy() => Written(".npy", path => NpyFile.WriteFloat32Matrix(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12.5f], 3, 4));

    /// <summary>A .safetensors state dictionary of a 4-3-2 MLP with metadata and an input standardisation.</summary>
    public static byte[] SafeTensors() => Written(".safetensors", path =>
        SafeTensorsModel.Export(path, new Mlp(MlpSpec.Parse("4-3-2", Activation.Tanh, 0.25f), new Rng(3)), new Standardizer([0.5f], [2f])));

    /// <summary>A classification CSV with a label column named "label".</summary>
    public static byte[] Csv() => Encoding.UTF8.GetBytes("a,b,label,c\n1,2,0,3\n3.5,-1,1,0\n0,\"1e3\",2,4\n7,8,1,9\n");

    /// <summary>A MovieLens ratings CSV of four ratings, one with a quoted title.</summary>
    public static byte[] MovieLens() => Encoding.UTF8.GetBytes(
        "movieId,title,year,genres,userId,rating,timestamp\n" +
        "1,Toy Story,1995,Animation|Comedy,1,4,964982703\n" +
        "2,\"Say \"\"Hi\"\", Again\",NA,Drama,1,3.5,964981247\n" +
        "1,Toy Story,1995,Animation|Comedy,2,5,964982224\n" +
        "3,Heat,1995,,2,0.5,1\n");

    /// <summary>A 4-3-2 MLP model file with an input standardisation and metadata.</summary>
    public static byte[] Model() => Written(".tkd", path =>
        ModelFile.Save(path, new Mlp(MlpSpec.Parse("4-3-2", Activation.Tanh, 0.25f), new Rng(3)),
            new Standardizer([0, 1, 2, 3], [1, 2, 3, 4]), new Dictionary<string, string> { ["stage"] = "fuzz" }));

    /// <summary>A 12-9-3 model with a blocked sparse first layer and a CSR sparse output layer without bias.</summary>
    public static byte[] SparseModel() => Written(".tkd", path =>
    {
        float[] w0 = new float[9 * 12], w1 = new float[3 * 9];
        var rng = new Rng(4);
        rng.FillUniform(w0, -1, 1);
        rng.FillUniform(w1, -1, 1);
        for (int i = 0; i < w0.Length; i++) if (i % 12 % 3 != 0) w0[i] = 0f;
        for (int i = 0; i < w1.Length; i += 2) w1[i] = 0f;
        ModelFile.Save(path, new Mlp(MlpSpec.Parse("12-9-3"), [
            new SparseLinear(SparseMatrix.FromDense(w0, 9, 12, SparseFormat.Blocked), [1, 2, 3, 4, 5, 6, 7, 8, 9]),
            new SparseLinear(SparseMatrix.FromDense(w1, 3, 9, SparseFormat.Csr), default)]));
    });

    /// <summary>A checkpoint after two epochs of a one-layer model with two optimizer state tensors.</summary>
    public static byte[] Checkpoint() => Written(".ckpt", path =>
    {
        var history = new[] { new EpochResult(1, 0.9, 0.5, 0.55, 1, 100), new EpochResult(2, 0.7, 0.6, null, 1, 100) };
        var state = new CheckpointState(2, 20, [7UL], 1, 0.55, 1, false, history, "fuzz run");
        Tensor W() => Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Distill.Training.Checkpoint.Save(path, state, [("0.weight", W()), ("0.bias", Tensor.FromArray([1, 2], 2))],
            [W(), W()], [("0.weight", W()), ("0.bias", Tensor.FromArray([3, 4], 2))]);
    });

    /// <summary>A NeuMF recommender file: 3 users, 4 items, 2 genres.</summary>
    public static byte[] Recommender() => Written(".tkd", path =>
        RecommenderFile.Save(path, new NeuMF(3, 4, new ItemGenres([0, 1, 2, 2, 3], [0, 1, 0], 2), new NeuMFSpec(2, 2, [3]), new Rng(5))));

    private static byte[] Written(string extension, Action<string> write)
    {
        using var dir = new TempDirectory();
        string path = dir.File("valid" + extension);
        write(path);
        return File.ReadAllBytes(path);
    }
}
