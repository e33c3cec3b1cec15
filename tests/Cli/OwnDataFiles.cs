using System.Globalization;
using System.Text;
using TinyKd.Distill.Data;

namespace TinyKd.Tests.Cli;

// Small synthetic data sets written as a user would bring them: 3 classes named by strings, 12 features at scales
// from 0.001 to 1000 (so standardisation matters), the class showing in the first four features.
internal static class OwnDataFiles
{
    public static readonly string[] ClassNames = ["beta", "alpha", "gamma"];

    private static readonly double[] Scales = [1, 1000, 0.001, 10, 100, 0.1, 1, 5, 50, 0.5, 2000, 0.01];

    public static (float[] Features, int[] Labels) Rows(int count, int seed)
    {
        var random = new Random(seed);
        var features = new float[count * Scales.Length];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            labels[i] = c;
            for (int j = 0; j < Scales.Length; j++)
            {
                double signal = j < 4 && j % 3 == c ? 2.5 : 0;
                double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                features[i * Scales.Length + j] = (float)((signal + gaussian) * Scales[j] + 3 * Scales[j]);
            }
        }
        return (features, labels);
    }

    public static string Header => string.Join(",", Enumerable.Range(0, Scales.Length).Select(j => $"f{j}")) + ",species";

    public static string WriteCsv(string path, int count, int seed)
    {
        var (features, labels) = Rows(count, seed);
        var text = new StringBuilder(Header).Append('\n');
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < Scales.Length; j++) text.Append(features[i * Scales.Length + j].ToString("R", CultureInfo.InvariantCulture)).Append(',');
            text.Append(ClassNames[labels[i]]).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>
    /// A binary table: 6 features, classes "benign" and "malignant" (about a third malignant), the class showing in
    /// the first two features with overlap, so that the scores are neither perfect nor random.
    /// </summary>
    public static string WriteBinaryCsv(string path, int count, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("f0,f1,f2,f3,f4,f5,diagnosis\n");
        for (int i = 0; i < count; i++)
        {
            bool malignant = i % 3 == 0;
            for (int j = 0; j < 6; j++)
            {
                double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                double value = (j < 2 && malignant ? 1.5 : 0) + gaussian;
                text.Append((value * (j + 1)).ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }
            text.Append(malignant ? "malignant" : "benign").Append('\n');
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    public static string WriteNpy(string path, int count, int seed)
    {
        var (features, labels) = Rows(count, seed);
        NpyFile.WriteFloat32Matrix(path, features, count, Scales.Length);
        WriteInt64Labels(TabularData.LabelsPath(path), labels);
        return path;
    }

    public static void WriteInt64Labels(string path, int[] labels)
    {
        string dict = $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({labels.Length},), }}";
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(padded - 10 - 1) + "\n";
        using var file = File.Create(path);
        using var writer = new BinaryWriter(file);
        writer.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        writer.Write((ushort)header.Length);
        writer.Write(Encoding.Latin1.GetBytes(header));
        foreach (int label in labels) writer.Write((long)label);
    }
}

// A temporary folder holding a 240-row training CSV and a 90-row test CSV from OwnDataFiles; deleted on Dispose.
internal sealed class OwnDataFolder : IDisposable
{
    public OwnDataFolder(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
        Train = OwnDataFiles.WriteCsv(File("train.csv"), 240, seed: 1);
        Test = OwnDataFiles.WriteCsv(File("test.csv"), 90, seed: 2);
    }

    public string Path { get; }

    public string Train { get; }

    public string Test { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
