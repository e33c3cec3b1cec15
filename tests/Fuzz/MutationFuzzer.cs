using Xunit.Abstractions;
using TinyKd.Tests.Data;

namespace TinyKd.Tests.Fuzz;

/// <summary>
/// Deterministic mutation fuzzing of a file reader: a valid file is damaged in <c>cases</c> seeded ways (one to three
/// <see cref="Mutations"/> each, optionally followed by a format-specific finishing mutation such as resealing a
/// checksum), each result is written to a file and read, and every outcome must be either a successful load or an
/// <see cref="InvalidDataException"/> whose message names the file. Anything else — OutOfMemory, Overflow,
/// IndexOutOfRange, NullReference, another exception type, a message without the path, or an allocation larger than
/// the file can justify (a buffer sized by an unchecked header) — is a failure reported with the format, the seed
/// and the case index, so <c>Run(..., cases: index + 1)</c> reproduces it.
/// </summary>
internal static class MutationFuzzer
{
    // A reader may allocate a few times the file (tensors, parsed rows, the gzip reader's first 1 MiB buffer) plus
    // fixed overheads; a buffer sized by a corrupt header (hundreds of MB and up) is far beyond this.
    private const long AllocationAllowance = 24L << 20;
    private const long AllocationPerByte = 256;

    /// <summary>What a fuzz run saw: the cases, the loads that succeeded and the rejections by exception type.</summary>
    public sealed record Report(string Format, int Cases, int Loaded, IReadOnlyDictionary<string, int> Rejected, IReadOnlyList<string> Failures)
    {
        /// <summary>One line for the test output: "idx-raw: 600 cases, 12 loaded, 588 rejected (InvalidDataException 588)".</summary>
        public override string ToString() =>
            $"{Format}: {Cases} cases, {Loaded} loaded, {Rejected.Values.Sum()} rejected " +
            $"({string.Join(", ", Rejected.Select(kv => $"{kv.Key} {kv.Value}"))})";
    }

    /// <summary>
    /// Fuzzes <paramref name="read"/> (which loads the file at its argument) with <paramref name="cases"/> mutants of
    /// <paramref name="valid"/>, named <c>case-N<paramref name="extension"/></c>.
    /// </summary>
    public static Report Run(string format, byte[] valid, string extension, Action<string> read, int cases, int seed,
        IReadOnlyList<Mutations.Mutation> mutations, Mutations.Mutation? finish = null)
    {
        using var dir = new TempDirectory();
        string original = dir.File("valid" + extension);
        File.WriteAllBytes(original, valid);
        read(original);

        int loaded = 0;
        var rejected = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        for (int index = 0; index < cases; index++)
        {
            var rng = new Random(CaseSeed(seed, index));
            byte[] bytes = valid;
            var applied = new List<string>();
            int count = 1 + rng.Next(3);
            for (int m = 0; m < count; m++)
            {
                Mutations.Mutation mutation = mutations[rng.Next(mutations.Count)];
                bytes = mutation.Apply(rng, bytes);
                applied.Add(mutation.Name);
            }
            if (finish is not null && rng.Next(2) == 0)
            {
                bytes = finish.Apply(rng, bytes);
                applied.Add(finish.Name);
            }
            string path = dir.File($"case-{index}{extension}");
            File.WriteAllBytes(path, bytes);
            string? failure = Outcome(read, path, bytes.Length, rejected, ref loaded);
            if (failure is not null)
                failures.Add($"{format} seed {seed} case {index} ({string.Join(" + ", applied)}, {bytes.Length} bytes): {failure}");
            File.Delete(path);
        }
        return new Report(format, cases, loaded, rejected, failures);
    }

    /// <summary>Asserts that <paramref name="report"/> has no failure, listing the first ones with their seeds and cases.</summary>
    public static void AssertClean(Report report, ITestOutputHelper output)
    {
        output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0,
            $"{report.Failures.Count} of {report.Cases} {report.Format} cases failed:\n{string.Join("\n", report.Failures.Take(12))}");
    }

    // The seed of one case, the same in every process (HashCode.Combine is randomised per process, so it would not
    // reproduce a failure).
    private static int CaseSeed(int seed, int index) => unchecked(seed * 1_000_003 + index);

    private static string? Outcome(Action<string> read, string path, int length, SortedDictionary<string, int> rejected, ref int loaded)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? error = null;
        try
        {
            read(path);
        }
        catch (Exception e)
        {
            error = e;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > AllocationAllowance + AllocationPerByte * length)
            return $"allocated {allocated} bytes reading a {length}-byte file ({error?.GetType().Name ?? "loaded"})";
        if (error is null)
        {
            loaded++;
            return null;
        }
        string type = error.GetType().Name;
        rejected[type] = rejected.GetValueOrDefault(type) + 1;
        if (error is not InvalidDataException) return $"{type}: {error.Message}\n{error.StackTrace}";
        if (!error.Message.Contains(path, StringComparison.Ordinal)) return $"the message does not name the file: {error.Message}";
        return null;
    }
}
