using ILGPU;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// The views of one tensor in a multi-tensor launch: a parameter, its gradient and up to two state buffers (Adam's
/// moments; SGD's momentum buffer and an unused one), or only P (clipping's norms and scaling).
/// </summary>
internal readonly record struct GroupSlot(ArrayView<float> P, ArrayView<float> G, ArrayView<float> S1, ArrayView<float> S2);

/// <summary>
/// Up to <see cref="Capacity"/> tensors handled by one launch of a multi-tensor kernel
/// (<see cref="OptimizerKernels.AdamMany"/>, <see cref="OptimizerKernels.SgdMany"/>, <see cref="ElementwiseKernels.ScaleMany"/>,
/// <see cref="ReductionKernels.SumsOfSquaresMany"/>), passed by value as a kernel argument (PyTorch's multi-tensor
/// apply packs its tensor pointers into the launch the same way): their views and the running end of each in the
/// concatenation of their elements. A kernel cannot index a struct's fields, so the slots
/// are fixed fields picked by a switch; unused slots are empty and end where the last used one does.
/// </summary>
internal struct TensorGroup
{
    /// <summary>The tensors one launch takes (512 bytes of views, far below CUDA's 4 KiB of kernel arguments).</summary>
    public const int Capacity = 8;

    private GroupSlot _s0, _s1, _s2, _s3, _s4, _s5, _s6, _s7;
    private int _e0, _e1, _e2, _e3, _e4, _e5, _e6, _e7;

    /// <summary>The elements of all the slots.</summary>
    public readonly int Length => _e7;

    /// <summary>Appends a tensor as slot <paramref name="slot"/> (slots are added in order from 0).</summary>
    public void Set(int slot, GroupSlot views)
    {
        int end = (slot == 0 ? 0 : End(slot - 1)) + (int)views.P.Length;
        switch (slot)
        {
            case 0: _s0 = views; _e0 = end; break;
            case 1: _s1 = views; _e1 = end; break;
            case 2: _s2 = views; _e2 = end; break;
            case 3: _s3 = views; _e3 = end; break;
            case 4: _s4 = views; _e4 = end; break;
            case 5: _s5 = views; _e5 = end; break;
            case 6: _s6 = views; _e6 = end; break;
            case 7: _s7 = views; _e7 = end; break;
            default: throw new ArgumentOutOfRangeException(nameof(slot), slot, $"A group holds {Capacity} parameters.");
        }
        for (int k = slot + 1; k < Capacity; k++) SetEnd(k, end);
    }

    /// <summary>The slot holding element <paramref name="i"/> of the concatenation, and where that slot starts.</summary>
    public readonly int SlotOf(int i, out int start)
    {
        int slot = 0;
        while (slot < Capacity - 1 && i >= End(slot)) slot++;
        start = slot == 0 ? 0 : End(slot - 1);
        return slot;
    }

    /// <summary>The views of slot <paramref name="slot"/>.</summary>
    public readonly GroupSlot this[int slot] => slot switch
    {
        0 => _s0,
        1 => _s1,
        2 => _s2,
        3 => _s3,
        4 => _s4,
        5 => _s5,
        6 => _s6,
        _ => _s7,
    };

    private readonly int End(int slot) => slot switch
    {
        0 => _e0,
        1 => _e1,
        2 => _e2,
        3 => _e3,
        4 => _e4,
        5 => _e5,
        6 => _e6,
        _ => _e7,
    };

    private void SetEnd(int slot, int end)
    {
        switch (slot)
        {
            case 0: _e0 = end; break;
            case 1: _e1 = end; break;
            case 2: _e2 = end; break;
            case 3: _e3 = end; break;
            case 4: _e4 = end; break;
            case 5: _e5 = end; break;
            case 6: _e6 = end; break;
            default: _e7 = end; break;
        }
    }
}
