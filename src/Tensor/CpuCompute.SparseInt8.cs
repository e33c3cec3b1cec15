using TinyKd.Tensors.Cpu;

namespace TinyKd.Tensors;

// The pruned int8 Linear forward of the CPU backend: argument checks here, kernels in Cpu/SparseInt8Kernels*.cs.
public sealed partial class CpuCompute
{
    /// <inheritdoc />
    public void SparseInt8Linear(Tensor y, Tensor x, SparseInt8Matrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null)
    {
        Check(y, nameof(y), x, nameof(x));
        ArgumentNullException.ThrowIfNull(weight);
        if (x.Rank != 2 || x.Shape[1] != weight.Columns)
            throw new ArgumentException($"Sparse int8 linear input 'x' {x.Shape} should be [B, {weight.Columns}] for W [{weight.Rows}, {weight.Columns}].", nameof(x));
        if (y.Rank != 2 || y.Shape[0] != x.Shape[0] || y.Shape[1] != weight.Rows)
            throw new ArgumentException($"Sparse int8 linear output 'y' {y.Shape} should be [{x.Shape[0]}, {weight.Rows}] for x {x.Shape} and W [{weight.Rows}, {weight.Columns}].", nameof(y));
        if (!bias.IsEmpty)
        {
            ComputeChecks.Owned(this, bias, nameof(bias));
            if (bias.Length != weight.Rows)
                throw new ArgumentException($"Sparse int8 linear bias {bias.Shape} should have {weight.Rows} elements for W [{weight.Rows}, {weight.Columns}].", nameof(bias));
        }
        SparseInt8Kernels.RunWith(CpuKernels.Path, CpuKernels.Threads, weight, x.Shape[0], x.Span, y.Span,
            bias.IsEmpty ? default : bias.Span, epilogue == Epilogue.Relu, activation);
    }
}
