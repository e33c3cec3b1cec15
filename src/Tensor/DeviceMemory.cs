namespace TinyKd.Tensors;

/// <summary>
/// Releases what an owner holds on a device, for the owners' <c>Dispose</c> (modules, optimizers, graphs, trainers):
/// device memory is disposed now; managed CPU memory is left to the collector and not marked disposed (views of it may
/// live on); empty tensors and null are ignored.
/// </summary>
public static class DeviceMemory
{
    /// <summary>Disposes <paramref name="memory"/> when it is device memory.</summary>
    public static void Release(BackendMemory? memory)
    {
        if (memory is not (null or CpuStorage or CpuIntStorage)) memory.Dispose();
    }

    /// <summary>Disposes the storage of <paramref name="tensor"/> when it is device memory (the owner's whole storage, not just the view).</summary>
    public static void Release(Tensor tensor)
    {
        if (!tensor.IsEmpty) Release(tensor.Storage);
    }

    /// <summary>Disposes the storage of <paramref name="tensor"/> when it is device memory.</summary>
    public static void Release(IntTensor tensor) => Release(tensor.Storage);
}
