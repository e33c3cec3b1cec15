using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using TinyKd.Tensors;

namespace TinyKd.Gpu;

/// <summary>
/// The compute seam over one ILGPU <see cref="Accelerator"/>: device storage (<see cref="GpuStorage"/>) and the
/// kernels of Kernels/, loaded once per backend and launched on the accelerator's default stream, so the calls of
/// a step run in order without host waits. The host waits only where it reads numbers: the CopyToHost overloads. It
/// implements the primitives of dense MLP training, distillation and embedding models (lookups, bags, lazy Adam); the
/// sparse, int8 and fake-quantization primitives throw <see cref="NotSupportedException"/> (they run on the CPU backend).
/// </summary>
/// <remarks>
/// Ownership: the backend owns the ILGPU context, the accelerator, its kernels and its scratch buffers; storages it
/// allocates belong to the caller, who disposes them when done (the accelerator releases what is left when the
/// backend is disposed, after which no tensor of it may be used).
/// Labels, indices and offsets are <see cref="GpuIntStorage"/> tensors uploaded by the caller once per batch; no
/// primitive copies them itself.
/// </remarks>
public sealed partial class GpuCompute : ICompute, IDisposable
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly GpuKernels _kernels;
    private readonly int _groupSize;
    private MemoryBuffer1D<float, Stride1D.Dense> _scratch;

    private GpuCompute(Context context, Accelerator accelerator, GpuDevice kind)
    {
        _context = context;
        _accelerator = accelerator;
        Kind = kind;
        _kernels = new GpuKernels(accelerator);
        _groupSize = (int)Math.Min(256, 1u << (31 - int.LeadingZeroCount(accelerator.MaxNumThreadsPerGroup)));
        _scratch = accelerator.Allocate1D<float>(1);
    }

    /// <summary>
    /// Opens the first device of <paramref name="kind"/> that ILGPU finds (for <see cref="GpuDevice.IlgpuCpu"/>, ILGPU's
    /// default CPU accelerator: 4 threads per warp, groups of at most 16).
    /// </summary>
    /// <exception cref="InvalidOperationException">No such device; the message lists the devices ILGPU found.</exception>
    public static GpuCompute Create(GpuDevice kind)
    {
        var context = Context.Create(builder =>
        {
            switch (kind)
            {
                case GpuDevice.Cuda: builder.Cuda(); break;
                case GpuDevice.OpenCL: builder.OpenCL(); break;
                case GpuDevice.IlgpuCpu: builder.CPU(CPUDeviceKind.Default); break;
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown device kind.");
            }
            builder.EnableAlgorithms();
        });
        Device? device = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorTypeOf(kind));
        if (device is null)
        {
            context.Dispose();
            throw new InvalidOperationException($"No {kind} device was found. ILGPU found: {string.Join("; ", AvailableDevices())}.");
        }
        return new GpuCompute(context, device.CreateAccelerator(context), kind);
    }

    /// <summary>
    /// ILGPU's CPU accelerator shaped as <paramref name="device"/>: 32-thread warps and groups of 256
    /// (<c>new CPUDevice(32, 8, 1)</c>) make the kernels run with the launch shapes a CUDA device gets (16×16 GEMM
    /// thread tiles, 32-lane shuffles, eight warps per reduction group), so a warp-size assumption shows on the CPU.
    /// Slow: for tests.
    /// </summary>
    internal static GpuCompute CreateIlgpuCpu(CPUDevice device)
    {
        var context = Context.Create(builder => builder.CPU(device).EnableAlgorithms());
        Device opened = context.Devices.First(d => d.AcceleratorType == AcceleratorType.CPU);
        return new GpuCompute(context, opened.CreateAccelerator(context), GpuDevice.IlgpuCpu);
    }

    /// <summary>Every device ILGPU can open on this machine, as "type: name" (the CPU accelerator is always among them).</summary>
    public static IReadOnlyList<string> AvailableDevices()
    {
        using var context = Context.Create(builder => builder.Cuda().OpenCL().CPU(CPUDeviceKind.Default));
        return context.Devices.Select(d => $"{d.AcceleratorType}: {d.Name}").ToArray();
    }

    private static AcceleratorType AcceleratorTypeOf(GpuDevice kind) => kind switch
    {
        GpuDevice.Cuda => AcceleratorType.Cuda,
        GpuDevice.OpenCL => AcceleratorType.OpenCL,
        _ => AcceleratorType.CPU,
    };

    /// <summary>The kind of device this backend runs on.</summary>
    public GpuDevice Kind { get; }

    /// <summary>Threads per warp of the accelerator (32 on NVIDIA GPUs), which the reductions' shuffles span.</summary>
    internal int WarpSize => _accelerator.WarpSize;

    /// <summary>Threads per group of the element-wise and reduction launches (256 on a GPU).</summary>
    internal int GroupSize => _groupSize;

    /// <summary>The accelerator's name as ILGPU reports it (e.g. the GPU model).</summary>
    public string DeviceName => _accelerator.Name;

    /// <summary>
    /// Kernels launched on this backend so far (copies and the zero-fill of a new buffer are not kernels). The count of
    /// a step, read before and after it, is what a device pays launch latency for: PyTorch eager launches one kernel
    /// per operator, most of TinyKd's steps' operators are fused into fewer.
    /// </summary>
    public long KernelLaunches => _kernels.Launches;

    /// <summary>Host-to-device copies so far (<see cref="CopyFromHost(Tensor, ReadOnlySpan{float})"/>, float or int).</summary>
    public long Uploads { get; private set; }

    /// <summary>Device-to-host copies so far (<see cref="CopyToHost(Tensor, Span{float})"/>, float or int; each waits for the device).</summary>
    public long Downloads { get; private set; }

    /// <inheritdoc />
    public string Name => Kind switch { GpuDevice.Cuda => "cuda", GpuDevice.OpenCL => "opencl", _ => "ilgpu-cpu" };

    /// <inheritdoc />
    public Storage Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var buffer = _accelerator.Allocate1D<float>(length);
        if (length > 0) buffer.MemSetToZero();
        return new GpuStorage(this, buffer);
    }

    // The four host copies pin the host span for the length of the copy: ILGPU's ref overloads turn the reference
    // into a raw pointer and then allocate (a wrapper buffer), so a GC in between could move a managed array and the
    // copy would read or write its old address — wrong numbers, now and then, or an access violation (one in a few
    // thousand round trips while another thread forced collections, before the pinning).

    /// <inheritdoc />
    public unsafe void CopyFromHost(Tensor destination, ReadOnlySpan<float> source)
    {
        ArrayView<float> d = View(destination, nameof(destination));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying {source.Length} floats into a tensor of shape {destination.Shape}.", nameof(source));
        if (source.Length == 0) return;
        fixed (float* host = source) d.CopyFromCPU(ref *host, source.Length);
        Uploads++;
    }

    /// <inheritdoc />
    public unsafe void CopyToHost(Tensor source, Span<float> destination)
    {
        ArrayView<float> s = View(source, nameof(source));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying a tensor of shape {source.Shape} into {destination.Length} floats.", nameof(destination));
        _accelerator.Synchronize();
        if (destination.Length == 0) return;
        fixed (float* host = destination) s.CopyToCPU(ref *host, destination.Length);
        Downloads++;
    }

    /// <inheritdoc />
    public IntStorage AllocateInts(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var buffer = _accelerator.Allocate1D<int>(length);
        if (length > 0) buffer.MemSetToZero();
        return new GpuIntStorage(this, buffer);
    }

    /// <inheritdoc />
    public unsafe void CopyFromHost(IntTensor destination, ReadOnlySpan<int> source)
    {
        ArrayView<int> d = View(destination, nameof(destination));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying {source.Length} ints into an int tensor of {destination.Length}.", nameof(source));
        if (source.Length == 0) return;
        fixed (int* host = source) d.CopyFromCPU(ref *host, source.Length);
        Uploads++;
    }

    /// <inheritdoc />
    public unsafe void CopyToHost(IntTensor source, Span<int> destination)
    {
        ArrayView<int> s = View(source, nameof(source));
        if (source.Length != destination.Length)
            throw new ArgumentException($"Copying an int tensor of {source.Length} into {destination.Length} ints.", nameof(destination));
        _accelerator.Synchronize();
        if (destination.Length == 0) return;
        fixed (int* host = destination) s.CopyToCPU(ref *host, destination.Length);
        Downloads++;
    }

    /// <inheritdoc />
    public void Copy(Tensor y, Tensor x, bool accumulate = false)
    {
        ComputeChecks.SameLength(y, nameof(y), x, nameof(x));
        ArrayView<float> yv = View(y, nameof(y)), xv = View(x, nameof(x));
        if (y.Length > 0) _kernels.Copy(y.Length, yv, xv, accumulate ? 1 : 0);
    }

    /// <inheritdoc />
    public void Fill(Tensor y, float value)
    {
        ArrayView<float> yv = View(y, nameof(y));
        if (y.Length > 0) _kernels.Fill(y.Length, yv, value);
    }

    /// <summary>Releases the scratch buffers, the accelerator and the ILGPU context.</summary>
    public void Dispose()
    {
        _scratch.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    // The elements of a tensor of this backend as a kernel argument (an empty view for an empty tensor).
    private ArrayView<float> View(Tensor t, string name)
    {
        if (t.IsEmpty) return default;
        ComputeChecks.Owned(this, t, name);
        return ((GpuStorage)t.Storage).View(t.Offset, t.Length);
    }

    // The ints of an int tensor of this backend as a kernel argument (an empty view for an empty tensor).
    private ArrayView<int> View(IntTensor t, string name)
    {
        if (t.IsEmpty) return default;
        ComputeChecks.Owned(this, t, name);
        return ((GpuIntStorage)t.Storage!).View(t.Offset, t.Length);
    }

    // At least n floats of scratch, reused by the calls that need a temporary (loss rows); grown, never shrunk.
    private ArrayView<float> Scratch(int n)
    {
        if (_scratch.Length < n)
        {
            _scratch.Dispose();
            _scratch = _accelerator.Allocate1D<float>(n);
        }
        return _scratch.View.SubView(0, n);
    }

    // result[0] (=|+=) scale·Σx (or Σx²) in one group; the kernel's shared memory holds one float per warp.
    private void Sum(ArrayView<float> result, ArrayView<float> x, int n, float scale, bool squares, bool accumulate = false) =>
        _kernels.Sum(new KernelConfig(1, _groupSize, SharedMemoryConfig.RequestDynamic<float>(Math.Max(1, _groupSize / _accelerator.WarpSize))),
            result, x, n, scale, squares ? 1 : 0, accumulate ? 1 : 0);
}
