using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Interop;

public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A file of the given header text (padded to 8 bytes unless told otherwise) followed by `data`.
    private string Raw(string header, byte[] data, ulong? declaredLength = null, string name = "raw.safetensors")
    {
        byte[] text = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + text.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)text.Length);
        text.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + text.Length);
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private InvalidDataException Rejects(string path, params string[] fragments) =>
        Check.Throws<InvalidDataException>(() => SafeTensorsFile.Read(path), [path, .. fragments]);

    [Fact]
    public void Write_then_read_round_trips_names_shapes_values_and_metadata()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        float[] weight = [1f, -2.5f, 3.25f, float.Epsilon, -0f, 1e30f];
        SafeTensorsFile.Write(path,
            [StoredTensor.Float32("b", [7f, 8f], 2), StoredTensor.Float32("a.weight", weight, 2, 3), StoredTensor.Float32("empty", [], 0, 4)],
            new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" });
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        Assert.Equal(["a.weight", "b", "empty"], content.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2, 3], content.Tensors["a.weight"].Dims);
        Assert.Equal([0, 4], content.Tensors["empty"].Dims);
        Assert.Equal(weight.Select(BitConverter.SingleToInt32Bits), content.Tensors["a.weight"].ToFloat32().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal([7f, 8f], content.Tensors["b"].ToFloat32());
        Assert.Equal("ünïcode \"quoted\"", content.Metadata["note"]);
        Assert.Equal("pt", content.Metadata["format"]);
    }

    [Fact]
    public void Write_lays_the_file_out_as_the_reference_implementation_does()
    {
        string path = Path.Combine(_dir, "layout.safetensors");
        SafeTensorsFile.Write(path, [StoredTensor.Float32("z", [1f], 1), StoredTensor.Float32("10.weight", [2f, 3f], 1, 2), StoredTensor.Float32("2.weight", [4f], 1, 1)]);
        byte[] bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal(header.TrimEnd(' ').Length, header.TrimEnd().Length);
        using JsonDocument json = JsonDocument.Parse(header);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["10.weight", "2.weight", "z"], names); // ordinal name order, no __metadata__ when there is none
        long at = 0;
        foreach (string name in names)
        {
            long[] offsets = [.. json.RootElement.GetProperty(name).GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64())];
            Assert.Equal(at, offsets[0]);
            at = offsets[1];
        }
        Assert.Equal(bytes.Length - 8 - n, at);
        Assert.Equal(Floats(2f, 3f, 4f, 1f), bytes[(int)(8 + n)..]);
    }

    [Fact]
    public void Write_refuses_two_tensors_of_one_name() =>
        Check.Throws<ArgumentException>(() => SafeTensorsFile.Write(Path.Combine(_dir, "d.safetensors"),
            [StoredTensor.Float32("w", [1f], 1), StoredTensor.Float32("w", [2f], 1)]), "'w'");

    [Fact]
    public void Read_rejects_a_file_too_short_for_the_header_length_naming_it()
    {
        string path = Path.Combine(_dir, "short.safetensors");
        File.WriteAllBytes(path, [1, 0, 0]);
        Rejects(path, "3 bytes", "8-byte header length");
    }

    [Fact]
    public void Read_rejects_a_header_length_beyond_the_file() =>
        Rejects(Raw("{}      ", [], declaredLength: 9), "header of 9 bytes", "beyond the 8 bytes");

    [Fact]
    public void Read_rejects_a_header_above_the_cap_before_allocating_it()
    {
        string path = Path.Combine(_dir, "huge.safetensors");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, SafeTensorsFile.MaxHeaderBytes + 1);
            stream.Write(length);
            stream.SetLength(8 + SafeTensorsFile.MaxHeaderBytes + 1); // sparse: no 100 MB written
        }
        Rejects(path, $"header of {SafeTensorsFile.MaxHeaderBytes + 1} bytes", "above");
    }

    [Fact]
    public void Read_rejects_a_header_that_is_not_json() =>
        Rejects(Raw("{\"a\": nope}", []), "not valid UTF-8 JSON");

    [Fact]
    public void Read_rejects_offsets_beyond_the_data_naming_the_tensor() =>
        Rejects(Raw("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", Floats(1f)), "tensor 'w'", "[0, 8]", "beyond the 4 bytes");

    [Fact]
    public void Read_rejects_reversed_offsets_naming_the_tensor() =>
        Rejects(Raw("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}""", Floats(1f)), "tensor 'w'", "data_offsets");

    [Fact]
    public void Read_rejects_overlapping_tensors_naming_both() =>
        Rejects(Raw("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", Floats(1, 2, 3)),
            "tensor 'b'", "overlapping tensor 'a'");

    [Fact]
    public void Read_rejects_a_gap_in_the_data_naming_the_next_tensor() =>
        Rejects(Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", Floats(1, 2, 3)),
            "bytes [4, 8)", "tensor 'b'");

    [Fact]
    public void Read_rejects_bytes_after_the_last_tensor_naming_it() =>
        Rejects(Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", Floats(1, 2)), "4 bytes of data after the last tensor 'a'");

    [Theory]
    [InlineData("I64")]
    [InlineData("BOOL")]
    [InlineData("f32")]
    public void Read_rejects_an_unknown_dtype_naming_it_and_the_tensor(string dtype) =>
        Rejects(Raw($$$"""{"w":{"dtype":"{{{dtype}}}","shape":[1],"data_offsets":[0,8]}}""", new byte[8]), "tensor 'w'", $"dtype '{dtype}'");

    [Theory]
    [InlineData("[3]")]
    [InlineData("[2, 1, 2]")]
    [InlineData("[2147483647, 2147483647, 2147483647, 2147483647]")]
    public void Read_rejects_a_shape_that_disagrees_with_the_byte_count(string shape) =>
        Rejects(Raw($$$"""{"w":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,8]}}""", Floats(1, 2)), "tensor 'w'", "hold 8");

    [Theory]
    [InlineData("[-1]")]
    [InlineData("[1.5]")]
    [InlineData("\"2\"")]
    public void Read_rejects_a_malformed_shape_naming_the_tensor(string shape) =>
        Rejects(Raw($$$"""{"w":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,8]}}""", Floats(1, 2)), "tensor 'w'", "shape");

    [Fact]
    public void Read_rejects_a_tensor_named_twice() =>
        Rejects(Raw("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", Floats(1, 2)),
            "names tensor 'w' twice");

    [Fact]
    public void Read_rejects_a_key_repeated_inside_a_tensor_entry() =>
        Rejects(Raw("""{"w":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}""", Floats(1)), "repeats the key 'dtype'", "tensor 'w'");

    [Fact]
    public void Read_rejects_a_tensor_entry_without_data_offsets() =>
        Rejects(Raw("""{"w":{"dtype":"F32","shape":[1]}}""", Floats(1)), "tensor 'w'", "without 'data_offsets'");

    [Fact]
    public void Read_rejects_metadata_that_is_not_strings() =>
        Rejects(Raw("""{"__metadata__":{"epochs":3}}""", []), "metadata 'epochs'", "not a string");

    [Fact]
    public void Read_converts_F16_BF16_and_F64_to_float32()
    {
        var data = new byte[2 * 2 + 2 * 2 + 2 * 8];
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(0), (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2), (Half)(-2.25f));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), (ushort)(BitConverter.SingleToInt32Bits(0.75f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), (ushort)(BitConverter.SingleToInt32Bits(-96f) >> 16));
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), 0.1);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(16), -3.0);
        string path = Raw("""{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},"d":{"dtype":"F64","shape":[2,1],"data_offsets":[8,24]}}""", data);
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        Assert.Equal([1.5f, -2.25f], content.Tensors["h"].ToFloat32());
        Assert.Equal([0.75f, -96f], content.Tensors["b"].ToFloat32());
        Assert.Equal([0.1f, -3f], content.Tensors["d"].ToFloat32());
        Assert.Equal([2, 1], content.Tensors["d"].Dims);
    }

    [Fact]
    public void Read_accepts_the_pytorch_fixture_and_its_metadata()
    {
        SafeTensorsContent content = SafeTensorsFile.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", "torch-mlp.safetensors"));
        Assert.Equal(["0.bias", "0.weight", "3.bias", "3.weight", "6.bias", "6.weight"], content.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([16, 20], content.Tensors["0.weight"].Dims);
        Assert.Equal("pt", content.Metadata["format"]);
    }
}
