using System.Buffers.Binary;
using System.Text;
using TinyKd.Distill.Data;

namespace TinyKd.Tests.Data;

public class NpyFileTests
{
    // The matrix every fixture in Fixtures/npy holds (scripts/make_npy_fixtures.py): (i − 5.5) / 4, i = 0 … 11, as [3, 4].
    private static readonly float[] FixtureValues = Enumerable.Range(0, 12).Select(i => (i - 5.5f) / 4).ToArray();

    [Theory]
    [InlineData("float32-3x4.npy")]
    [InlineData("float32-3x4-v2.npy")]
    [InlineData("float32-3x4-v3.npy")]
    public void NpyFile_reads_a_float32_matrix_written_by_numpy(string name)
    {
        float[] data = NpyFile.ReadFloat32Matrix(Fixture(name), out int rows, out int columns);

        Assert.Equal((3, 4), (rows, columns));
        Assert.Equal(FixtureValues, data);
    }

    [Fact]
    public void NpyFile_reads_an_empty_matrix_written_by_numpy()
    {
        float[] data = NpyFile.ReadFloat32Matrix(Fixture("float32-0x5.npy"), out int rows, out int columns);

        Assert.Equal((0, 5), (rows, columns));
        Assert.Empty(data);
    }

    [Theory]
    [InlineData("float32-3x4.npy", 3, 4)]
    [InlineData("float32-0x5.npy", 0, 5)]
    public void NpyFile_writes_the_same_bytes_as_numpy_save(string name, int rows, int columns)
    {
        using var dir = new TempDirectory();
        string path = dir.File("logits.npy");

        NpyFile.WriteFloat32Matrix(path, FixtureValues.AsSpan(0, rows * columns), rows, columns);

        Assert.Equal(File.ReadAllBytes(Fixture(name)), File.ReadAllBytes(path));
    }

    [Fact]
    public void NpyFile_round_trips_every_float_bit_for_bit()
    {
        using var dir = new TempDirectory();
        string path = dir.File("special.npy");
        float[] values =
        [
            0f, -0f, 1f, -1.5f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, BitConverter.Int32BitsToSingle(0x7FC0_1234),
        ];

        NpyFile.WriteFloat32Matrix(path, values, 2, 6);
        float[] read = NpyFile.ReadFloat32Matrix(path, out int rows, out int columns);

        Assert.Equal((2, 6), (rows, columns));
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(7, 0)]
    [InlineData(1, 1)]
    [InlineData(1000, 3)]
    [InlineData(37, 130)]
    public void NpyFile_round_trips_matrices_of_any_shape_including_zero_rows(int rows, int columns)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.npy");
        float[] values = Enumerable.Range(0, rows * columns).Select(i => i * 0.25f - 3f).ToArray();

        NpyFile.WriteFloat32Matrix(path, values, rows, columns);
        float[] read = NpyFile.ReadFloat32Matrix(path, out int readRows, out int readColumns);

        Assert.Equal((rows, columns), (readRows, readColumns));
        Assert.Equal(values, read);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 4)]
    [InlineData(60000, 10)]
    [InlineData(1_000_000_000, 0)]
    public void NpyFile_pads_the_header_with_spaces_and_a_newline_so_data_start_at_a_multiple_of_64(int rows, int columns)
    {
        using var dir = new TempDirectory();
        string path = dir.File("aligned.npy");
        NpyFile.WriteFloat32Matrix(path, new float[rows * columns], rows, columns);

        byte[] bytes = File.ReadAllBytes(path);
        int dataOffset = 10 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));

        Assert.Equal(bytes.Length - 4L * rows * columns, dataOffset);
        Assert.Equal(0, dataOffset % 64);
        Assert.Equal((byte)'\n', bytes[dataOffset - 1]);
        string header = Encoding.ASCII.GetString(bytes, 10, dataOffset - 10);
        Assert.StartsWith($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}", header);
        Assert.Matches("^[^}]*} +\n$", header);
    }

    [Fact]
    public void NpyFile_writer_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("logits.npy");
        NpyFile.WriteFloat32Matrix(path, new float[20], 4, 5);

        NpyFile.WriteFloat32Matrix(path, [1f, 2f], 1, 2);

        Assert.Equal([1f, 2f], NpyFile.ReadFloat32Matrix(path, out _, out _));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void NpyFile_writer_rejects_data_that_do_not_fill_the_shape_naming_the_numbers()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<ArgumentException>(() => NpyFile.WriteFloat32Matrix(dir.File("bad.npy"), new float[11], 3, 4));

        Assert.Equal("data", e.ParamName);
        Assert.Contains("[3, 4]", e.Message);
        Assert.Contains("12 floats", e.Message);
        Assert.Contains("11", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void NpyFile_writer_rejects_negative_rows()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NpyFile.WriteFloat32Matrix("never.npy", [], -1, 4));

        Assert.Equal("rows", e.ParamName);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}")]
    [InlineData("{'shape': (2, 3,), 'fortran_order': False, 'descr': '<f4'}")]
    [InlineData("  {  \"descr\":'<f4' ,'fortran_order':False,\n'shape':(  2 ,3  )  ,  }  ")]
    [InlineData("{'fortran_order': False, 'descr': \"<f4\", 'shape': (2,3), }                          \n")]
    public void NpyFile_parses_headers_in_any_key_order_spacing_and_comma_style(string header)
    {
        using var dir = new TempDirectory();
        string path = dir.File("h.npy");
        float[] values = [1, 2, 3, 4, 5, 6];
        File.WriteAllBytes(path, NpyBytes(header, Floats(values)));

        float[] read = NpyFile.ReadFloat32Matrix(path, out int rows, out int columns);

        Assert.Equal((2, 3), (rows, columns));
        Assert.Equal(values, read);
    }

    [Fact]
    public void NpyFile_rejects_float64_naming_the_file_and_dtype_and_how_to_convert()
    {
        string path = Fixture("float64-3x4.npy");

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("dtype '<f8'", e.Message);
        Assert.Contains("astype(np.float32)", e.Message);
    }

    [Fact]
    public void NpyFile_rejects_big_endian_float32_naming_its_dtype()
    {
        string path = Fixture("float32-3x4-bigendian.npy");

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("dtype '>f4'", e.Message);
    }

    [Fact]
    public void NpyFile_rejects_fortran_order_naming_the_file()
    {
        string path = Fixture("float32-3x4-fortran.npy");

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("Fortran", e.Message);
        Assert.Contains("fortran_order False", e.Message);
    }

    [Theory]
    [InlineData("float32-rank1.npy", "(12,)")]
    [InlineData("float32-2x3x2.npy", "(2, 3, 2)")]
    public void NpyFile_rejects_arrays_not_of_rank_2_naming_their_shape(string name, string shape)
    {
        string path = Fixture(name);

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains($"shape {shape}", e.Message);
        Assert.Contains("rank-2", e.Message);
    }

    [Fact]
    public void NpyFile_rejects_truncated_data_naming_the_file_and_both_byte_counts()
    {
        using var dir = new TempDirectory();
        string path = dir.File("short.npy");
        byte[] whole = File.ReadAllBytes(Fixture("float32-3x4.npy"));
        File.WriteAllBytes(path, whole[..^6]);

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("need 48 bytes", e.Message);
        Assert.Contains("only 42 bytes", e.Message);
    }

    [Fact]
    public void NpyFile_rejects_trailing_bytes_naming_the_file_and_their_count()
    {
        using var dir = new TempDirectory();
        string path = dir.File("long.npy");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(Fixture("float32-3x4.npy")), 0, 0, 0]);

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("3 trailing bytes", e.Message);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(9)]
    [InlineData(7)]
    public void NpyFile_rejects_a_truncated_header_naming_the_file(int length)
    {
        using var dir = new TempDirectory();
        string path = dir.File("cut.npy");
        File.WriteAllBytes(path, File.ReadAllBytes(Fixture("float32-3x4.npy"))[..length]);

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'X', 1, 0, 0, 0 })]
    public void NpyFile_rejects_a_file_without_the_magic_string_naming_it(byte[] bytes)
    {
        using var dir = new TempDirectory();
        string path = dir.File("not-numpy.npy");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("magic string", e.Message);
    }

    [Fact]
    public void NpyFile_rejects_an_unknown_format_version_naming_it()
    {
        using var dir = new TempDirectory();
        string path = dir.File("future.npy");
        byte[] bytes = File.ReadAllBytes(Fixture("float32-3x4.npy"));
        bytes[6] = 4;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains("version 4.0", e.Message);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "no 'shape'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "unexpected key 'extra'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", "'descr' twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3)}", "True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "non-negative integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", "expected ',' or '}'")]
    [InlineData("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", "malformed header")]
    [InlineData("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2, 3)}", "structured dtype")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk", "the end of the header")]
    public void NpyFile_rejects_a_malformed_header_naming_the_file_and_the_fault(string header, string fault)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad-header.npy");
        File.WriteAllBytes(path, NpyBytes(header, new byte[24]));

        var e = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Contains(path, e.Message);
        Assert.Contains(fault, e.Message);
    }

    [Fact]
    public void NpyFile_rejects_a_missing_file_naming_it()
    {
        using var dir = new TempDirectory();
        string path = dir.File("absent.npy");

        var e = Assert.Throws<FileNotFoundException>(() => NpyFile.ReadFloat32Matrix(path, out _, out _));

        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy", name);

    // A version 1.0 .npy file with the given header text (written as is, no padding) followed by the data bytes.
    private static byte[] NpyBytes(string header, byte[] data)
    {
        byte[] text = Encoding.ASCII.GetBytes(header);
        var bytes = new byte[10 + text.Length + data.Length];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        text.CopyTo(bytes, 10);
        data.CopyTo(bytes, 10 + text.Length);
        return bytes;
    }

    private static byte[] Floats(float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }
}
