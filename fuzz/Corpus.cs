using System.IO.Compression;
using System.Text;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Recommender;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Fuzz;

/// <summary>
/// Writes a seed corpus — one small valid file per target, made by TinyKd's own writers — so that no binary corpus is
/// kept in the repository: <c>TinyKd.Fuzz --corpus DIR</c> creates <c>DIR/TARGET/…</c>.
/// </summary>
public static class Corpus
{
    /// <summary>Writes the seeds of every target under <paramref name="directory"/>.</summary>
    public static void Write(string directory)
    {
        string Folder(string target) => System.IO.Directory.CreateDirectory(Path.Combine(directory, target)).FullName;

        var images = new byte[5 * 4 * 3];
        for (int i = 0; i < images.Length; i++) images[i] = (byte)(7 * i);
        byte[] labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1];
        IdxWriter.WriteImages(Path.Combine(Folder("idx-images"), "raw"), new IdxImages(images, 5, 4, 3));
        IdxWriter.WriteLabels(Path.Combine(Folder("idx-labels"), "raw"), labels);
        Gzip(Path.Combine(Folder("idx-images"), "raw"), Path.Combine(Folder("idx-images"), "gz"));
        Gzip(Path.Combine(Folder("idx-labels"), "raw"), Path.Combine(Folder("idx-labels"), "gz"));

        NpyFile.WriteFloat32Matrix(Path.Combine(Folder("npy"), "3x4.npy"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12.5f], 3, 4);
        SafeTensorsModel.Export(Path.Combine(Folder("safetensors"), "4-3-2.safetensors"),
            new Mlp(MlpSpec.Parse("4-3-2", Activation.Tanh, 0.25f), new Rng(3)), new Standardizer([0.5f], [2f]));
        File.WriteAllText(Path.Combine(Folder("csv"), "data.csv"), "a,b,label,c\n1,2,0,3\n3.5,-1,1,0\n0,\"1e3\",2,4\n", Encoding.UTF8);
        File.WriteAllText(Path.Combine(Folder("movielens"), "ratings.csv"),
            "movieId,title,year,genres,userId,rating,timestamp\n1,Toy Story,1995,Animation|Comedy,1,4,964982703\n" +
            "2,\"Say \"\"Hi\"\", Again\",NA,Drama,1,3.5,964981247\n3,Heat,1995,,2,0.5,1\n", Encoding.UTF8);

        ModelFile.Save(Path.Combine(Folder("model"), "4-3-2.tkd"), new Mlp(MlpSpec.Parse("4-3-2", Activation.Tanh, 0.25f), new Rng(3)),
            new Standardizer([0, 1, 2, 3], [1, 2, 3, 4]), new Dictionary<string, string> { ["stage"] = "fuzz" });
        RecommenderFile.Save(Path.Combine(Folder("recommender"), "neumf.tkd"),
            new NeuMF(3, 4, new ItemGenres([0, 1, 2, 2, 3], [0, 1, 0], 2), new NeuMFSpec(2, 2, [3]), new Rng(5)));
        RecommenderFile.Save(Path.Combine(Folder("recommender"), "mf.tkd"), new MatrixFactorization(3, 4, 2, new Rng(6)));

        var history = new[] { new EpochResult(1, 0.9, 0.5, 0.55, 1, 100), new EpochResult(2, 0.7, 0.6, null, 1, 100) };
        Tensor W() => Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Checkpoint.Save(Path.Combine(Folder("checkpoint"), "run.ckpt"), new CheckpointState(2, 20, [7UL], 1, 0.55, 1, false, history, "fuzz"),
            [("0.weight", W())], [W(), W()], [("0.weight", W())]);
    }

    private static void Gzip(string from, string to)
    {
        using var input = File.OpenRead(from);
        using var output = File.Create(to);
        using var gzip = new GZipStream(output, CompressionLevel.Optimal);
        input.CopyTo(gzip);
    }
}
