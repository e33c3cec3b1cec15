using System.Numerics.Tensors;
using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace TinyKd.Tensors;

/// <summary>
/// Conversions between TinyKd tensors and .NET's own <see cref="Tensor{T}"/> / <see cref="TensorSpan{T}"/>.
/// CPU tensors are exposed without copying (the .NET tensor shares the TinyKd storage); the other way copies,
/// because TinyKd owns its storage.
/// </summary>
public static class NumericsInterop
{
    /// <summary>A <see cref="Tensor{T}"/> over the same memory as a CPU tensor (no copy).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not on the CPU backend.</exception>
    public static Tensor<float> ToNumericsTensor(this Tensor tensor)
    {
        if (tensor.Storage is not CpuStorage cpu)
            throw new InvalidOperationException($"Only CPU tensors can be shared with System.Numerics.Tensors; this {tensor.Shape} lives on '{tensor.Backend.Name}'.");
        Span<nint> lengths = stackalloc nint[Math.Max(tensor.Rank, 1)];
        Span<nint> strides = stackalloc nint[Math.Max(tensor.Rank, 1)];
        int rank = Describe(tensor.Shape, lengths, strides);
        return NumericsTensor.Create(cpu.Data, cpu.Start + tensor.Offset, lengths[..rank], strides[..rank]);
    }

    /// <summary>A <see cref="TensorSpan{T}"/> over the same memory as a CPU tensor (no copy).</summary>
    public static TensorSpan<float> AsTensorSpan(this Tensor tensor)
    {
        Span<nint> lengths = stackalloc nint[Math.Max(tensor.Rank, 1)];
        Span<nint> strides = stackalloc nint[Math.Max(tensor.Rank, 1)];
        int rank = Describe(tensor.Shape, lengths, strides);
        return new TensorSpan<float>(tensor.Span, lengths[..rank], strides[..rank]);
    }

    /// <summary>Copies a .NET tensor (any strides, rank ≤ 4) into a new CPU tensor of the same shape.</summary>
    /// <exception cref="ArgumentException">The rank exceeds <see cref="Shape.MaxRank"/>.</exception>
    public static Tensor ToTinyKd(this ReadOnlyTensorSpan<float> source)
    {
        if (source.Rank > Shape.MaxRank)
            throw new ArgumentException($"TinyKd tensors have at most {Shape.MaxRank} dimensions; this one has {source.Rank}.", nameof(source));
        Span<int> dims = stackalloc int[source.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = checked((int)source.Lengths[i]);
        var result = Tensor.Zeros(new Shape(dims));
        source.FlattenTo(result.Span);
        return result;
    }

    /// <summary>Copies a .NET tensor into a new CPU tensor of the same shape.</summary>
    public static Tensor ToTinyKd(this Tensor<float> source) => ((ReadOnlyTensorSpan<float>)source.AsReadOnlyTensorSpan()).ToTinyKd();

    // Row-major lengths and strides; a scalar is described as one element of rank 1.
    private static int Describe(Shape shape, Span<nint> lengths, Span<nint> strides)
    {
        if (shape.Rank == 0)
        {
            lengths[0] = 1;
            strides[0] = 1;
            return 1;
        }
        nint stride = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            lengths[i] = shape[i];
            strides[i] = stride;
            stride *= shape[i];
        }
        return shape.Rank;
    }
}
