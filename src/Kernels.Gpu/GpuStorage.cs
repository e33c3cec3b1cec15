using ILGPU;
using ILGPU.Runtime;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

/// <summary>
/// Device memory of a <see cref="GpuCompute"/>: one ILGPU buffer of floats. The host cannot read it except through
/// <see cref="ICompute.CopyToHost(Tensor, Span{float})"/>; <see cref="BackendMemory.Dispose()"/> releases the buffer at once.
/// </summary>
public sealed class GpuStorage : Storage
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _buffer;

    internal GpuStorage(GpuCompute backend, MemoryBuffer1D<float, Stride1D.Dense> buffer) : base(backend, (int)buffer.Length) =>
        _buffer = buffer;

    /// <summary>The elements [offset, offset + length) as a view a kernel takes.</summary>
    /// <exception cref="ObjectDisposedException">The memory was released (its owner, a module or an optimizer, was disposed).</exception>
    internal ArrayView<float> View(int offset, int length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _buffer.View.SubView(offset, length);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _buffer.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// Int memory of a <see cref="GpuCompute"/> (labels, indices, offsets, row lists): one ILGPU buffer of ints, read by
/// the kernels in place; <see cref="BackendMemory.Dispose()"/> releases it at once.
/// </summary>
public sealed class GpuIntStorage : IntStorage
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _buffer;

    internal GpuIntStorage(GpuCompute backend, MemoryBuffer1D<int, Stride1D.Dense> buffer) : base(backend, (int)buffer.Length) =>
        _buffer = buffer;

    /// <summary>The elements [offset, offset + length) as a view a kernel takes.</summary>
    /// <exception cref="ObjectDisposedException">The memory was released.</exception>
    internal ArrayView<int> View(int offset, int length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _buffer.View.SubView(offset, length);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _buffer.Dispose();
        base.Dispose(disposing);
    }
}
