using System.Text.Json.Nodes;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Fuzz;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Pruning;

public sealed class SparseModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tinykd-sparse-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_sparse_model_round_trips_bit_for_bit()
    {
        Mlp dense = PruningFixtures.Model("40-19-10");
        MagnitudePruner.Prune(dense, 0.75, new PruningOptions(PruningGranularity.Element, PruneOutputLayer: true));
        var layers = dense.AffineLayers.Cast<Linear>().ToArray();
        Mlp model = new(dense.Spec, [
            new SparseLinear(SparseMatrix.FromDense(layers[0].Weight.Data.Span, 19, 40, SparseFormat.Blocked), layers[0].Bias!.Data.Span),
            new SparseLinear(SparseMatrix.FromDense(layers[1].Weight.Data.Span, 10, 19, SparseFormat.Csr), default)]);
        string path = Path.Combine(_dir, "sparse.tkd");
        ModelFile.Save(path, model);
        SavedModel loaded = ModelFile.Load(path);
        var read = loaded.Model.AffineLayers.Cast<SparseLinear>().ToArray();
        var written = model.AffineLayers.Cast<SparseLinear>().ToArray();
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(written[i].Weight.Format, read[i].Weight.Format);
            Assert.Equal(written[i].Weight.RowStarts.ToArray(), read[i].Weight.RowStarts.ToArray());
            Assert.Equal(written[i].Weight.ColumnIndices.ToArray(), read[i].Weight.ColumnIndices.ToArray());
            Assert.Equal(written[i].Weight.Values.ToArray(), read[i].Weight.Values.ToArray());
            Assert.Equal(written[i].Bias.ToArray(), read[i].Bias.ToArray());
        }
        Assert.False(read[1].HasBias);
        Assert.Equal("sparse", JsonNode.Parse(TkdContainer.Header(File.ReadAllBytes(path))!)!["Stage"]!.GetValue<string>());
        Tensor x = Check.Random(9, -1, 1, 6, 40);
        Assert.Equal(Evaluation.PredictLogits(model, x, 10), Evaluation.PredictLogits(loaded.Model, x, 10));
    }

    [Fact]
    public void The_file_of_a_90_percent_block_sparse_teacher_is_at_most_a_fifth_of_the_dense_file()
    {
        Mlp teacher = PruningFixtures.Model("784-1200-1200-10");
        string densePath = Path.Combine(_dir, "teacher.tkd"), sparsePath = Path.Combine(_dir, "teacher-pruned.tkd");
        ModelFile.Save(densePath, teacher);
        MagnitudePruner.Prune(teacher, 0.9);
        ModelFile.Save(sparsePath, SparseServing.Convert(teacher, ServingLayout.Sparse));
        double ratio = (double)new FileInfo(sparsePath).Length / new FileInfo(densePath).Length;
        Assert.True(ratio <= 0.2, $"the 90 %-sparse teacher's file is {ratio:F3}× the dense one");
    }

    [Theory]
    [InlineData("0.column_indices", "0.column_indices")]
    [InlineData("0.values", "0.values")]
    [InlineData("0.row_starts", "0.row_starts")]
    public void A_sparse_file_with_a_damaged_array_names_the_file_and_the_tensor(string tensor, string named)
    {
        string path = SparseFile();
        var (header, tensors) = TensorFile.ReadStored(path);
        StoredTensor t = tensors[tensor];
        tensors[tensor] = t.Type switch
        {
            ElementType.UInt16 => StoredTensor.UInt16(tensor, [.. t.ToUInt16().Select(v => (ushort)(v + 5000))], t.Dims[0]),
            ElementType.Float32 => StoredTensor.Float32(tensor, t.ToFloat32().Skip(1).ToArray(), t.Dims[0] - 1),
            _ => StoredTensor.Int32(tensor, [.. t.ToInt32().Select((v, i) => i == 1 ? -3 : v)], t.Dims[0]),
        };
        TensorFile.Write(path, header, tensors.Values.ToList());
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, named);
    }

    [Fact]
    public void A_sparse_file_in_an_unknown_format_names_the_file_and_the_layer()
    {
        string path = SparseFile();
        TkdContainer.EditHeader(path, h => h["Layers"]![0]!["Attributes"]!["format"] = "diagonal");
        Check.Throws<InvalidDataException>(() => ModelFile.Load(path), path, "'0.'", "diagonal");
    }

    private string SparseFile()
    {
        string path = Path.Combine(_dir, $"damaged-{Guid.NewGuid():N}.tkd");
        File.WriteAllBytes(path, ValidFiles.SparseModel());
        return path;
    }
}
