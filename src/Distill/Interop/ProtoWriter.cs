using System.Buffers.Binary;
using System.Text;

namespace TinyKd.Distill.Interop;

/// <summary>
/// The few Protocol Buffers encodings an ONNX file needs, written by hand (no protobuf library): varints (wire type 0),
/// 32-bit floats (wire type 5), and length-delimited strings, bytes, packed arrays and nested messages (wire type 2).
/// Fields are written in the order the caller gives, so the same calls give the same bytes.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _stream = new();

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => _stream.ToArray();

    /// <summary>An integer field (int32, int64 or an enum) as a varint; negative values take ten bytes, as protobuf's int64 does.</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
        return this;
    }

    /// <summary>A float field (fixed 32 bits, little-endian).</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _stream.Write(bytes);
        return this;
    }

    /// <summary>A UTF-8 string field.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _stream.Write(value);
        return this;
    }

    /// <summary>A float array as raw little-endian bytes (ONNX's <c>TensorProto.raw_data</c>).</summary>
    public ProtoWriter Floats(int field, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return Bytes(field, bytes);
    }

    /// <summary>A nested message, written by <paramref name="body"/> into its own buffer and then length-prefixed.</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> body)
    {
        var nested = new ProtoWriter();
        body(nested);
        return Bytes(field, nested.ToArray());
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _stream.WriteByte((byte)value);
    }
}
