using System.Buffers.Binary;
using System.Text;

namespace TinyKd.Tests.Fuzz;

/// <summary>
/// The ways <see cref="MutationFuzzer"/> damages a file: each takes the case's random source and the bytes and returns
/// new bytes, and has a name for the failure message. Binary mutations (bit flips, byte sets, 32-bit header fields set
/// to extreme values in either byte order, truncations, insertions, deletions, duplicated chunks) suit every format;
/// text mutations (numbers and fields replaced by extreme tokens, lines deleted or duplicated) suit CSV.
/// </summary>
internal static class Mutations
{
    /// <summary>A named mutation.</summary>
    public sealed record Mutation(string Name, Func<Random, byte[], byte[]> Apply);

    // Header fields set to these catch unchecked counts, sizes and offsets: zero, one, negative, the int32 limits and
    // 2^31 − 56 (just over Array.MaxLength), and a few mid-size values that pass naive checks.
    private static readonly int[] ExtremeInts = [0, 1, -1, 2, int.MaxValue, int.MinValue, int.MaxValue - 55, 65_536, 1 << 24, 1_000_000_000, 255, 256];

    private static readonly string[] ExtremeTokens =
        ["2000000000", "2147483647", "-2147483648", "-1", "0", "NaN", "Infinity", "1e40", "-0", "", "\"", "\"\"", ",", "NA",
         "99999999999999999999", "0.25", "label", "x", "\u00e9\u0000"];

    /// <summary>The mutations that apply to any file.</summary>
    public static IReadOnlyList<Mutation> Binary { get; } =
    [
        new("flip a bit", (rng, b) => Edit(b, rng, (bytes, at) => bytes[at] ^= (byte)(1 << rng.Next(8)))),
        new("set a byte", (rng, b) => Edit(b, rng, (bytes, at) => bytes[at] = (byte)(rng.Next(4) switch { 0 => 0, 1 => 0xFF, 2 => 0x80, _ => rng.Next(256) }))),
        new("set a 32-bit field", SetInt32),
        new("truncate", (rng, b) => b.Length == 0 ? b : b[..rng.Next(b.Length)]),
        new("insert bytes", (rng, b) => Splice(b, rng.Next(b.Length + 1), 0, RandomBytes(rng, 1 + rng.Next(16)))),
        new("delete bytes", (rng, b) => b.Length == 0 ? b : Splice(b, rng.Next(b.Length), 1 + rng.Next(16), [])),
        new("duplicate a chunk", Duplicate),
        new("append bytes", (rng, b) => [.. b, .. RandomBytes(rng, 1 + rng.Next(8))]),
    ];

    /// <summary>The mutations of a text file: tokens, fields and lines.</summary>
    public static IReadOnlyList<Mutation> Text { get; } =
    [
        new("replace a token", ReplaceToken),
        new("delete a line", (rng, b) => Lines(b, rng, (lines, i) => lines.RemoveAt(i))),
        new("duplicate a line", (rng, b) => Lines(b, rng, (lines, i) => lines.Insert(i, lines[i]))),
        new("insert a separator or quote", (rng, b) => Splice(b, rng.Next(b.Length + 1), 0, [(byte)",\"\n\r"[rng.Next(4)]])),
    ];

    private static byte[] Edit(byte[] input, Random rng, Action<byte[], int> edit)
    {
        if (input.Length == 0) return input;
        byte[] bytes = (byte[])input.Clone();
        edit(bytes, HeaderBiasedOffset(rng, bytes.Length));
        return bytes;
    }

    // Half the edits land in the first 64 bytes, where the headers are.
    private static int HeaderBiasedOffset(Random rng, int length) => rng.Next(2) == 0 ? rng.Next(Math.Min(64, length)) : rng.Next(length);

    private static byte[] SetInt32(Random rng, byte[] input)
    {
        if (input.Length < 4) return input;
        byte[] bytes = (byte[])input.Clone();
        int at = rng.Next(2) == 0 ? 4 * rng.Next(Math.Min(16, bytes.Length / 4)) : rng.Next(bytes.Length - 3);
        int value = ExtremeInts[rng.Next(ExtremeInts.Length)];
        if (rng.Next(2) == 0) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at), value);
        else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
        return bytes;
    }

    private static byte[] Duplicate(Random rng, byte[] input)
    {
        if (input.Length == 0) return input;
        int start = rng.Next(input.Length);
        int length = 1 + rng.Next(Math.Min(64, input.Length - start));
        return Splice(input, rng.Next(input.Length + 1), 0, input.AsSpan(start, length).ToArray());
    }

    private static byte[] ReplaceToken(Random rng, byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
            if (text[i] is ',' or '\n') starts.Add(i + 1);
        int start = starts[rng.Next(starts.Count)];
        int end = start;
        while (end < text.Length && text[end] is not (',' or '\n' or '\r')) end++;
        string token = ExtremeTokens[rng.Next(ExtremeTokens.Length)];
        return Encoding.UTF8.GetBytes(text[..start] + token + text[end..]);
    }

    private static byte[] Lines(byte[] input, Random rng, Action<List<string>, int> edit)
    {
        var lines = Encoding.UTF8.GetString(input).Split('\n').ToList();
        edit(lines, rng.Next(lines.Count));
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private static byte[] Splice(byte[] input, int at, int remove, byte[] insert)
    {
        remove = Math.Min(remove, input.Length - at);
        return [.. input.AsSpan(0, at), .. insert, .. input.AsSpan(at + remove)];
    }

    private static byte[] RandomBytes(Random rng, int count)
    {
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }
}
