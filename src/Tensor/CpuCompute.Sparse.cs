using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

// The sparse Linear forward of the CPU backend: argument checks here, loops in Cpu/SparseKernels.
public sealed partial class CpuCompute
{
    /// <inheritdoc />
    public void SparseLinear(Tensor y, Tensor x, SparseMatrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None)
    {
        Check(y, nameof(y), x, nameof(x));
        ArgumentNullException.ThrowIfNull(weight);
        if (x.Rank != 2 || x.Shape[1] != weight.Columns)
            throw new ArgumentException($"Sparse linear input 'x' {x.Shape} should be [B, {weight.Columns}] for W [{weight.Rows}, {weight.Columns}].", nameof(x));
        if (y.Rank != 2 || y.Shape[0] != x.Shape[0] || y.Shape[1] != weight.Rows)
            throw new ArgumentException($"Sparse linear output 'y' {y.Shape} should be [{x.Shape[0]}, {weight.Rows}] for x {x.Shape} and W [{weight.Rows}, {weight.Columns}].", nameof(y));
        if (!bias.IsEmpty)
        {
            ComputeChecks.Owned(this, bias, nameof(bias));
            if (bias.Length != weight.Rows)
                throw new ArgumentException($"Sparse linear bias {bias.Shape} should have {weight.Rows} elements for W [{weight.Rows}, {weight.Columns}].", nameof(bias));
        }
        SparseKernels.RunWith(CpuKernels.Path, CpuKernels.Threads, weight, x.Shape[0], x.Span, y.Span,
            bias.IsEmpty ? default : bias.Span, epilogue == Epilogue.Relu);
    }
}
