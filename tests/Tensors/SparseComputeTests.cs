using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Support;
using Xunit.Abstractions;

namespace TinyKd.Tests.Tensors;

// The sparse Linear forward through the compute seam (CpuCompute.SparseLinear) with CpuKernels.Path forced to each
// path, against the reference; and its boundary checks, which name the shapes.
[Collection(CpuKernelSettingsCollection.Name)]
public class SparseComputeTests(ITestOutputHelper output)
{
    private static readonly CpuCompute Cpu = CpuCompute.Default;

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Sparse_linear_on_the_forced_path_matches_the_reference(KernelPath path) => ForcedKernelPath.Run(path, output, () =>
    {
        foreach (SparseFormat format in (SparseFormat[])[SparseFormat.Csr, SparseFormat.Blocked])
            foreach (int batch in SparseData.Batches)
            {
                var w = SparseMatrix.FromDense(SparseData.Weights(21, 33, 100, 0.9), 33, 100, format);
                var x = Check.Random(22, -1, 1, batch, 100);
                var bias = Check.Random(23, -1, 1, 33);
                var y = Tensor.Zeros(batch, 33);
                float[] expected = new float[batch * 33];
                SparseReference.Run(w, batch, x.Span, expected, bias.Span, relu: true);
                Cpu.SparseLinear(y, x, w, bias, Epilogue.Relu);
                Check.Close(expected, y.ToArray(), atol: 1e-4, rtol: 1e-5, what: $"{path} {format} batch {batch}");
            }
    });

    [Fact]
    public void Bad_shapes_are_rejected_naming_them()
    {
        var w = SparseMatrix.FromDense(new float[12], 3, 4, SparseFormat.Blocked);
        Check.Throws<ArgumentException>(() => Cpu.SparseLinear(Tensor.Zeros(2, 3), Tensor.Zeros(2, 5), w), "'x' [2, 5]", "[B, 4]", "W [3, 4]");
        Check.Throws<ArgumentException>(() => Cpu.SparseLinear(Tensor.Zeros(2, 4), Tensor.Zeros(2, 4), w), "'y' [2, 4]", "[2, 3]");
        Check.Throws<ArgumentException>(() => Cpu.SparseLinear(Tensor.Zeros(3, 3), Tensor.Zeros(2, 4), w), "'y' [3, 3]", "[2, 3]");
        Check.Throws<ArgumentException>(() => Cpu.SparseLinear(Tensor.Zeros(2, 3), Tensor.Zeros(2, 4), w, Tensor.Zeros(4)), "bias [4]", "3 elements");
        Check.Throws<ArgumentException>(() => Cpu.SparseLinear(Tensor.Zeros(2, 3), Tensor.Zeros(8), w), "'x' [8]");
    }
}

// Once warm, the sparse forward allocates nothing on any thread, at batch 1 and in the lanes kernels, in parallel.
[Collection(AllocationCollection.Name)]
public class SparseComputeAllocationTests
{
    [Fact]
    public void Sparse_linear_allocates_nothing_once_warm()
    {
        foreach (int batch in (int[])[1, 256])
        {
            var w = SparseMatrix.FromDense(SparseData.Weights(31, 1025, 257, 0.5), 1025, 257, SparseFormat.Blocked);
            var x = Check.Random(32, -1, 1, batch, 257);
            var y = Tensor.Zeros(batch, 1025);
            var bias = Check.Random(33, -1, 1, 1025);
            Allocations.AssertNone(() => CpuCompute.Default.SparseLinear(y, x, w, bias, Epilogue.Relu), $"a sparse linear forward at batch {batch}");
        }
    }
}
