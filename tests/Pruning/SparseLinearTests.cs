using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Pruning;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Support;
using TinyKd.Tests.Tensors;
using Xunit.Abstractions;

namespace TinyKd.Tests.Pruning;

// A pruned MLP served through SparseLinear against its dense masked twin, on every kernel path and thread count.
[Collection(CpuKernelSettingsCollection.Name)]
public sealed class SparseLinearTests(ITestOutputHelper output)
{
    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void A_sparse_mlp_computes_what_the_dense_masked_mlp_does(KernelPath path) => ForcedKernelPath.Run(path, output, () =>
    {
        foreach (var (sizes, granularity) in new[] { ("33-17-9-10", PruningGranularity.Block), ("100-1025-10", PruningGranularity.Element) })
        {
            Mlp dense = PruningFixtures.Model(sizes);
            MagnitudePruner.Prune(dense, 0.9, new PruningOptions(granularity, PruneOutputLayer: true));
            Mlp sparse = SparseServing.Convert(dense, ServingLayout.Sparse);
            Assert.All(sparse.AffineLayers, l => Assert.IsType<SparseLinear>(l));
            foreach (int batch in (int[])[1, 7, 64])
            {
                Tensor x = Check.Random(3, -1, 1, batch, dense.Spec.InputSize);
                Check.Close(Evaluation.PredictLogits(dense, x, 10), Evaluation.PredictLogits(sparse, x, 10), atol: 1e-4, rtol: 1e-4,
                    what: $"{path} {sizes} batch {batch}");
            }
        }
    });

    [Fact]
    public void On_the_scalar_path_a_sparse_mlp_equals_the_sparse_reference_bit_for_bit() => ForcedKernelPath.Run(KernelPath.Scalar, output, () =>
    {
        Mlp dense = PruningFixtures.Model("57-24-10");
        MagnitudePruner.Prune(dense, 0.8, new PruningOptions(PruneOutputLayer: true));
        Mlp sparse = SparseServing.Convert(dense, ServingLayout.Sparse);
        var layers = sparse.AffineLayers.Cast<SparseLinear>().ToArray();
        Tensor x = Check.Random(4, -1, 1, 5, 57);
        float[] hidden = new float[5 * 24], logits = new float[5 * 10];
        SparseReference.Run(layers[0].Weight, 5, x.Span, hidden, layers[0].Bias, relu: true);
        SparseReference.Run(layers[1].Weight, 5, hidden, logits, layers[1].Bias, relu: false);
        Assert.Equal(logits, Evaluation.PredictLogits(sparse, x, 10));
    });

    [Fact]
    public void A_sparse_mlp_gives_the_same_bits_for_any_thread_count()
    {
        Mlp dense = PruningFixtures.Model("300-1025-10");
        MagnitudePruner.Prune(dense, 0.9);
        Mlp sparse = SparseServing.Convert(dense, ServingLayout.Sparse);
        Tensor x = Check.Random(5, -1, 1, 64, 300);
        int saved = CpuKernels.Threads;
        try
        {
            CpuKernels.Threads = 1;
            float[] one = Evaluation.PredictLogits(sparse, x, 10);
            CpuKernels.Threads = 3;
            Assert.Equal(one, Evaluation.PredictLogits(sparse, x, 10));
        }
        finally
        {
            CpuKernels.Threads = saved;
        }
    }

    [Fact]
    public void The_dense_twin_of_a_served_model_holds_its_weights_and_computes_what_it_does()
    {
        Mlp dense = PruningFixtures.Model("57-24-17-10");
        MagnitudePruner.Prune(dense, 0.8, new PruningOptions(PruneOutputLayer: true));
        Mlp sparse = SparseServing.Convert(dense, ServingLayout.Sparse);
        Mlp quantized = new(sparse.Spec, [.. sparse.AffineLayers.Cast<SparseLinear>().Select(l => SparseQuantizedLinear.FromSparse(l.Weight, l.Bias))]);

        Mlp twin = SparseServing.DenseTwin(sparse);
        Assert.All(twin.AffineLayers, l => Assert.IsType<Linear>(l));
        foreach (var (original, copy) in dense.AffineLayers.Cast<Linear>().Zip(twin.AffineLayers.Cast<Linear>()))
        {
            Assert.Equal(original.Weight.Data.ToArray(), copy.Weight.Data.ToArray());
            Assert.Equal(original.Bias!.Data.ToArray(), copy.Bias!.Data.ToArray());
        }
        Tensor x = Check.Random(6, -1, 1, 9, 57);
        Check.Close(Evaluation.PredictLogits(sparse, x, 10), Evaluation.PredictLogits(twin, x, 10), atol: 1e-4, rtol: 1e-4, what: "fp32 twin");
        Check.Close(Evaluation.PredictLogits(quantized, x, 10), Evaluation.PredictLogits(SparseServing.DenseTwin(quantized), x, 10),
            atol: 2e-2, rtol: 2e-2, what: "dequantized twin of the int8 model");
        Assert.Equal(Evaluation.PredictLogits(dense, x, 10), Evaluation.PredictLogits(SparseServing.DenseTwin(dense), x, 10));
    }

    [Fact]
    public void A_sparse_layer_refuses_to_record_gradients_and_checks_its_input()
    {
        var layer = new SparseLinear(SparseMatrix.FromDense([1, 0, 0, 2, 0, 3], 2, 3, SparseFormat.Blocked), [0.5f, -0.5f]);
        Assert.Equal(3 + 2, layer.StoredParameters);
        var graph = new Graph();
        Check.Throws<InvalidOperationException>(() => layer.Forward(graph.Input(Tensor.Zeros(1, 3), requiresGrad: true)), "forward-only");
        Check.Throws<ArgumentException>(() => layer.Forward(graph.Input(Tensor.Zeros(1, 4))), "[1, 4]", "[B, 3]");
        Check.Throws<ArgumentException>(() => new SparseLinear(SparseMatrix.FromDense(new float[6], 2, 3, SparseFormat.Csr), [1f]), "bias of 1");
        Assert.Equal([1.5f, 2 * 1 + 3 * 1 - 0.5f], layer.Forward(graph.Input(Tensor.FromArray([1f, 1f, 1f], 1, 3))).Data.ToArray());
    }
}
