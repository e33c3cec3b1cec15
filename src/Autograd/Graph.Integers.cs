using System.Runtime.InteropServices;
using TinyKd.Tensors;

namespace TinyKd.Autograd;

// The step's integers on the graph's backend: labels and indices enter a step as host memory and are uploaded here
// once, into buffers pooled like the graph's float buffers.
public sealed partial class Graph
{
    private readonly List<(ReadOnlyMemory<int> Host, IntTensor Tensor)> _uploads = [];
    private readonly List<IntStorage> _intBuffers = []; // by upload slot

    /// <summary>
    /// <paramref name="values"/> as an int tensor of this graph's backend, valid until <see cref="Reset"/>: on the CPU a
    /// view of the memory itself (no copy, so keep the values unchanged until backward), on a device a pooled buffer
    /// holding one upload of them. The same memory asked for again in a step gives the same tensor (on a device, with
    /// the contents of the first call), so a batch's indices cross to a device once however many ops read them. The
    /// steady state allocates nothing.
    /// </summary>
    public IntTensor Upload(ReadOnlyMemory<int> values)
    {
        foreach (var (host, tensor) in _uploads)
            if (host.Equals(values)) return tensor;
        IntTensor result = Backend is CpuCompute ? HostView(values) : DeviceCopy(values.Span);
        _uploads.Add((values, result));
        return result;
    }

    // Array-backed memory is viewed in place (nothing allocated); other memory is copied.
    private IntTensor HostView(ReadOnlyMemory<int> values) =>
        MemoryMarshal.TryGetArray(values, out ArraySegment<int> segment)
            ? new IntTensor(segment.Array!, segment.Offset, segment.Count)
            : DeviceCopy(values.Span);

    // A copy in this step's next pooled buffer, grown when too small.
    private IntTensor DeviceCopy(ReadOnlySpan<int> values)
    {
        int slot = _uploads.Count;
        while (_intBuffers.Count <= slot) _intBuffers.Add(Backend.AllocateInts(0));
        if (_intBuffers[slot].Length < values.Length)
        {
            _intBuffers[slot].Dispose();
            _intBuffers[slot] = Backend.AllocateInts(values.Length);
        }
        var tensor = new IntTensor(_intBuffers[slot], 0, values.Length);
        Backend.CopyFromHost(tensor, values);
        return tensor;
    }
}
