using System.Globalization;
using System.Text;

namespace TinyKd.Distill.Data;

/// <summary>
/// The header of a NumPy <c>.npy</c> file: the Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c> that follows the magic string, the version
/// and the header length. <see cref="Parse"/> reads exactly that kind of literal — string keys, and string, boolean
/// or integer-tuple values, in any order and spacing — not Python in general.
/// </summary>
internal sealed class NpyHeader
{
    /// <summary>The magic string every .npy file begins with.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // NumPy pads the header so the data starts at a multiple of 64 bytes, and leaves room for the first dimension to
    // grow to 21 digits so the header can be rewritten in place (numpy.lib.format.ARRAY_ALIGN, GROWTH_AXIS_MAX_DIGITS).
    private const int ArrayAlign = 64;
    private const int GrowthAxisMaxDigits = 21;

    private NpyHeader(string descr, bool fortranOrder, long[] shape)
    {
        Descr = descr;
        FortranOrder = fortranOrder;
        Shape = shape;
    }

    /// <summary>The dtype string, such as <c>&lt;f4</c> (little-endian float32).</summary>
    public string Descr { get; }

    /// <summary>Whether the data are stored column-major.</summary>
    public bool FortranOrder { get; }

    /// <summary>The dimensions, each ≥ 0.</summary>
    public long[] Shape { get; }

    /// <summary>The shape as Python writes it: <c>(12,)</c>, <c>(3, 4)</c>, <c>()</c>.</summary>
    public string ShapeText => Shape.Length == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";

    /// <summary>
    /// Parses the header text of the file at <paramref name="path"/>, which must hold the keys <c>descr</c>,
    /// <c>fortran_order</c> and <c>shape</c> and no other (as NumPy requires).
    /// </summary>
    /// <exception cref="InvalidDataException">The text is not such a literal; the message names the file and the fault.</exception>
    public static NpyHeader Parse(string text, string path) => new Parser(text, path).ParseHeader();

    /// <summary>
    /// The magic string, version 1.0, header length and header of a little-endian float32 [<paramref name="rows"/>,
    /// <paramref name="columns"/>] C-order array, byte for byte as NumPy's <c>np.save</c> writes them.
    /// </summary>
    public static byte[] FormatFloat32Matrix(int rows, int columns)
    {
        var text = new StringBuilder($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        text.Append(' ', Math.Max(0, GrowthAxisMaxDigits - rows.ToString(CultureInfo.InvariantCulture).Length));
        const int prefix = 6 + 2 + 2;
        int withNewline = text.Length + 1;
        int padding = ArrayAlign - (prefix + withNewline) % ArrayAlign;
        text.Append(' ', padding).Append('\n');
        var bytes = new byte[prefix + text.Length];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        bytes[8] = (byte)text.Length;
        bytes[9] = (byte)(text.Length >> 8);
        Encoding.ASCII.GetBytes(text.ToString(), bytes.AsSpan(prefix));
        return bytes;
    }

    private sealed class Parser(string text, string path)
    {
        private int _position;

        public NpyHeader ParseHeader()
        {
            string? descr = null;
            bool? fortranOrder = null;
            long[]? shape = null;
            SkipWhitespace();
            Expect('{');
            SkipWhitespace();
            while (!TryConsume('}'))
            {
                int keyAt = _position;
                string key = ParseString();
                SkipWhitespace();
                Expect(':');
                SkipWhitespace();
                switch (key)
                {
                    case "descr":
                        if (descr is not null) throw Duplicate(key);
                        descr = ParseDescr();
                        break;
                    case "fortran_order":
                        if (fortranOrder is not null) throw Duplicate(key);
                        fortranOrder = ParseBool(key);
                        break;
                    case "shape":
                        if (shape is not null) throw Duplicate(key);
                        shape = ParseShape();
                        break;
                    default:
                        throw Error($"has an unexpected key '{key}' at position {keyAt}; a .npy header holds exactly " +
                                    "'descr', 'fortran_order' and 'shape'");
                }
                SkipWhitespace();
                if (TryConsume(',')) SkipWhitespace();
                else if (Peek() != '}') throw Unexpected("',' or '}'");
            }
            SkipWhitespace();
            if (_position != text.Length) throw Unexpected("the end of the header");
            if (descr is null) throw Missing("descr");
            if (fortranOrder is null) throw Missing("fortran_order");
            if (shape is null) throw Missing("shape");
            return new NpyHeader(descr, fortranOrder.Value, shape);
        }

        private string ParseDescr()
        {
            if (Peek() == '[')
                throw Error("holds a structured dtype (a list of named fields); TinyKd reads float32 ('<f4') [N, C] arrays");
            return ParseString();
        }

        private string ParseString()
        {
            char quote = Peek();
            if (quote != '\'' && quote != '"') throw Unexpected("a quoted string");
            int start = ++_position;
            int end = text.IndexOf(quote, start);
            if (end < 0) throw Error($"has a string starting at position {start - 1} that is never closed");
            _position = end + 1;
            return text[start..end];
        }

        private bool ParseBool(string key)
        {
            if (TryConsume("True")) return true;
            if (TryConsume("False")) return false;
            throw Unexpected($"True or False for '{key}'");
        }

        // A Python tuple of non-negative integers: (), (12,), (3, 4), (3, 4,).
        private long[] ParseShape()
        {
            Expect('(');
            var dimensions = new List<long>();
            SkipWhitespace();
            while (!TryConsume(')'))
            {
                dimensions.Add(ParseDimension());
                SkipWhitespace();
                if (TryConsume(',')) SkipWhitespace();
                else if (Peek() != ')') throw Unexpected("',' or ')' in the shape");
            }
            return [.. dimensions];
        }

        private long ParseDimension()
        {
            int start = _position;
            while (_position < text.Length && char.IsAsciiDigit(text[_position])) _position++;
            if (_position == start) throw Unexpected("a non-negative integer in the shape");
            if (!long.TryParse(text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                throw Error($"has a dimension '{text[start.._position]}' too large to read");
            return value;
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && text[_position] is ' ' or '\t' or '\n' or '\r') _position++;
        }

        private char Peek() => _position < text.Length ? text[_position] : '\0';

        private bool TryConsume(char c)
        {
            if (Peek() != c) return false;
            _position++;
            return true;
        }

        private bool TryConsume(string word)
        {
            if (string.CompareOrdinal(text, _position, word, 0, word.Length) != 0) return false;
            _position += word.Length;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c)) throw Unexpected($"'{c}'");
        }

        private InvalidDataException Unexpected(string expected)
        {
            string found = _position < text.Length ? $"'{text[_position]}'" : "the end of the header";
            return Error($"has a malformed header: expected {expected} at position {_position}, found {found} (header: {Excerpt})");
        }

        private InvalidDataException Duplicate(string key) => Error($"has the key '{key}' twice in its header");

        private InvalidDataException Missing(string key) =>
            Error($"has no '{key}' in its header; a .npy header holds 'descr', 'fortran_order' and 'shape' (header: {Excerpt})");

        // The header as it reads, cut short when long: a broken file can declare a header of any length.
        private string Excerpt
        {
            get
            {
                string trimmed = text.TrimEnd();
                return trimmed.Length <= 200 ? trimmed : trimmed[..200] + " …";
            }
        }

        private InvalidDataException Error(string what) => new($"NumPy file '{path}' {what}.");
    }
}
