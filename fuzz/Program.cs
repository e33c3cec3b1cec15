using SharpFuzz;

namespace TinyKd.Fuzz;

/// <summary>
/// The fuzzing entry point: <c>TinyKd.Fuzz TARGET</c> runs one reader under AFL++ (SharpFuzz's out-of-process
/// mode), <c>TinyKd.Fuzz TARGET --libfuzzer</c> under libfuzzer-dotnet, and <c>TinyKd.Fuzz TARGET FILE…</c> replays
/// inputs (a crash AFL++ saved, a corpus) without a fuzzer; <c>TinyKd.Fuzz --corpus DIR</c> writes the seed corpus.
/// See README.md.
/// </summary>
public static class Program
{
    /// <summary>Runs the named target; exit code 2 for an unknown target or bad arguments.</summary>
    public static int Main(string[] args)
    {
        if (args is ["--corpus", var directory])
        {
            Corpus.Write(directory);
            return 0;
        }
        if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out Action<ReadOnlySpan<byte>>? target))
        {
            Console.Error.WriteLine($"usage: TinyKd.Fuzz TARGET [--libfuzzer | FILE…] | --corpus DIR; targets: {string.Join(", ", Targets.All.Keys)}");
            return 2;
        }
        if (args.Length > 1 && args[1] == "--libfuzzer")
        {
            Fuzzer.LibFuzzer.Run(bytes => target(bytes));
            return 0;
        }
        if (args.Length > 1)
        {
            foreach (string file in args.Skip(1))
            {
                target(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: no unexpected exception");
            }
            return 0;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            target(memory.ToArray());
        });
        return 0;
    }
}
