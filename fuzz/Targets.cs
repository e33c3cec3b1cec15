using System.Buffers.Binary;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Recommender;
using TinyKd.Distill.Training;

namespace TinyKd.Fuzz;

/// <summary>
/// One fuzz target per file reader. Each writes the input to a file (the readers take paths, and a path in the
/// message is part of the contract), reads it, and lets through only a successful load or an
/// <see cref="InvalidDataException"/> that names the file, having allocated no more than a bound proportional to the
/// file; any other exception, one without the file name, or a larger allocation (a size taken from the file without
/// checking it against the file) is thrown out of the target and is a crash for the fuzzer. The TinyKd-container targets (model, checkpoint, recommender) first rewrite
/// the input's last four bytes as the CRC-32 of the rest: a coverage-guided fuzzer would otherwise almost never get
/// past the checksum into the header and tensor checks (the checksum itself is covered by tests/Fuzz).
/// </summary>
public static class Targets
{
    // The bound of tests/Fuzz/MutationFuzzer: a few times the file plus fixed overheads (the gzip reader's first
    // 1 MiB buffer); a buffer sized by a corrupt header is far beyond it.
    private const long AllocationAllowance = 24L << 20;
    private const long AllocationPerByte = 256;

    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("tinykd-fuzz-").FullName;

    /// <summary>The targets by name.</summary>
    public static IReadOnlyDictionary<string, Action<ReadOnlySpan<byte>>> All { get; } = new Dictionary<string, Action<ReadOnlySpan<byte>>>
    {
        ["idx-images"] = bytes => Read(bytes, "images-idx3-ubyte", path => IdxReader.ReadImages(path)),
        ["idx-labels"] = bytes => Read(bytes, "labels-idx1-ubyte", path => IdxReader.ReadLabels(path)),
        ["npy"] = bytes => Read(bytes, "logits.npy", path => NpyFile.ReadFloat32Matrix(path, out _, out _)),
        ["safetensors"] = bytes => Read(bytes, "model.safetensors", path => SafeTensorsFile.Read(path)),
        ["csv"] = bytes => Read(bytes, "data.csv", path => CsvDataset.Load(path, "label")),
        ["movielens"] = bytes => Read(bytes, "ratings.csv", path => MovieLensCsv.Read(path)),
        ["model"] = bytes => Read(Sealed(bytes), "model.tkd", path => ModelFile.Load(path)),
        ["checkpoint"] = bytes => Read(Sealed(bytes), "run.ckpt", path => Checkpoint.Load(path)),
        ["recommender"] = bytes => Read(Sealed(bytes), "recommender.tkd", path => RecommenderFile.Load(path)),
    };

    private static byte[] Sealed(ReadOnlySpan<byte> input)
    {
        byte[] bytes = input.ToArray();
        if (bytes.Length >= 8)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    private static void Read(ReadOnlySpan<byte> bytes, string name, Action<string> read)
    {
        string path = Path.Combine(Directory, name);
        using (var file = File.Create(path)) file.Write(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            read(path);
        }
        catch (InvalidDataException e) when (e.Message.Contains(path, StringComparison.Ordinal))
        {
            // The documented outcome for a damaged file: not a finding.
        }
        catch (InvalidDataException e)
        {
            throw new InvalidOperationException($"The error does not name the file '{path}': {e.Message}", e);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > AllocationAllowance + AllocationPerByte * bytes.Length)
            throw new InvalidOperationException($"Reading a {bytes.Length}-byte file allocated {allocated} bytes: a size taken from the file unchecked.");
    }
}
