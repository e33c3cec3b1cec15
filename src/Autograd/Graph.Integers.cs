using System.Runtime.InteropServices;
using TinyKd.Tensors;

namespace TinyKd.Autograd;

// The step's integers on the graph's backend: labels and indices enter a step as host memory and are uploaded here
// once, into buffers pooled like the graph's float buffers, or staged and sent together in one packed copy.
public sealed partial class Graph
{
    private readonly List<(ReadOnlyMemory<int> Host, IntTensor Tensor)> _uploads = [];
    private readonly List<IntStorage> _intBuffers = []; // by upload slot
    private readonly List<(ReadOnlyMemory<int> Host, int Offset)> _pending = []; // staged, not yet sent: where in _staged
    private int[] _staged = [];
    private int _stagedLength;
    private bool _packedSent;
    private IntStorage? _packed; // the device buffer of the packed upload

    /// <summary>
    /// <paramref name="values"/> as an int tensor of this graph's backend, valid until <see cref="Reset"/>: on the CPU a
    /// view of the memory itself (no copy, so keep the values unchanged until backward), on a device a pooled buffer
    /// holding one upload of them. The same memory asked for again in a step gives the same tensor (on a device, with
    /// the contents of the first call), so a batch's indices cross to a device once however many ops read them. The
    /// steady state allocates nothing.
    /// </summary>
    public IntTensor Upload(ReadOnlyMemory<int> values)
    {
        UploadStaged();
        foreach (var (host, tensor) in _uploads)
            if (host.Equals(values)) return tensor;
        IntTensor result = Backend is CpuCompute ? HostView(values) : DeviceCopy(values.Span);
        _uploads.Add((values, result));
        return result;
    }

    /// <summary>
    /// Adds <paramref name="values"/> to the step's packed upload: on a device they are copied into one host buffer,
    /// and <see cref="UploadStaged"/> (or the next <see cref="Upload"/>) sends everything staged in a single copy, after
    /// which <see cref="Upload"/> of the same memory returns its part of that buffer. This is how a batch's integers
    /// (indices, bag offsets, the slots a sparse gradient will need) cross to the device once per step. Staging memory
    /// already uploaded this step does nothing; staging after the packed copy was sent uploads at once. On the CPU it
    /// does nothing (<see cref="Upload"/> views host memory in place). Keep the values unchanged until backward.
    /// </summary>
    public void Stage(ReadOnlyMemory<int> values)
    {
        if (Backend is CpuCompute || Holds(values)) return;
        if (_packedSent)
        {
            Upload(values);
            return;
        }
        int end = _stagedLength + values.Length;
        if (_staged.Length < end) Array.Resize(ref _staged, Math.Max(end, 2 * _staged.Length));
        values.Span.CopyTo(_staged.AsSpan(_stagedLength));
        _pending.Add((values, _stagedLength));
        _stagedLength = end;
    }

    /// <summary>
    /// Sends what <see cref="Stage"/> collected since the step began, in one copy into a buffer kept for the next
    /// steps (grown when a step stages more). Does nothing when nothing is pending.
    /// </summary>
    public void UploadStaged()
    {
        if (_pending.Count == 0) return;
        if (_packed is null || _packed.Length < _stagedLength)
        {
            _packed?.Dispose();
            _packed = Backend.AllocateInts(Math.Max(_stagedLength, 2 * (_packed?.Length ?? 0)));
        }
        Backend.CopyFromHost(new IntTensor(_packed, 0, _stagedLength), _staged.AsSpan(0, _stagedLength));
        foreach (var (host, offset) in _pending) _uploads.Add((host, new IntTensor(_packed, offset, host.Length)));
        _pending.Clear();
        _packedSent = true;
    }

    /// <summary>True when <paramref name="values"/> (this very memory) was uploaded or staged in this step.</summary>
    public bool Holds(ReadOnlyMemory<int> values)
    {
        foreach (var (host, _) in _uploads)
            if (host.Equals(values)) return true;
        foreach (var (host, _) in _pending)
            if (host.Equals(values)) return true;
        return false;
    }

    // The tensor of memory uploaded (or staged and now sent) in this step, without copying anything else.
    internal bool TryGetUpload(ReadOnlyMemory<int> values, out IntTensor tensor)
    {
        UploadStaged();
        foreach (var (host, uploaded) in _uploads)
            if (host.Equals(values))
            {
                tensor = uploaded;
                return true;
            }
        tensor = default;
        return false;
    }

    // Releases the device buffers of the uploads (CPU views own nothing).
    private void ReleaseUploadBuffers()
    {
        foreach (IntStorage buffer in _intBuffers) DeviceMemory.Release(buffer);
        DeviceMemory.Release(_packed);
    }

    // Forgets this step's uploads and staging (the pooled buffers stay).
    private void ResetUploads()
    {
        _uploads.Clear();
        _pending.Clear();
        _stagedLength = 0;
        _packedSent = false;
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
