using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// Sums across threads with warp shuffles: the W lanes of a warp (W = <see cref="Warp.WarpSize"/>: 32 on NVIDIA GPUs,
/// 4 on ILGPU's CPU accelerator) exchange registers directly, log₂W butterfly steps with no shared memory and no
/// barrier (CUDA's <c>__shfl_xor_sync</c>). <see cref="Sum"/> reduces a whole vector in one group: each thread
/// strides over it, each warp reduces its lanes' partial sums by shuffles, and the first warp reduces the warps'
/// results (one shared float per warp, one barrier). One group keeps the result deterministic and the launch single;
/// it is meant for loss rows and parameter norms, not for vectors of millions.
/// </summary>
internal static class ReductionKernels
{
    // result[0] (=|+=) scale·Σ x (or Σ x² when squares ≠ 0). Shared memory: a float per warp of the group.
    public static void Sum(ArrayView<float> result, ArrayView<float> x, int n, float scale, int squares, int accumulate)
    {
        var partial = SharedMemory.GetDynamic<float>();
        int t = Group.IdxX, warps = Group.DimX / Warp.WarpSize;
        float s = 0f;
        for (int i = t; i < n; i += Group.DimX) s += squares != 0 ? x[i] * x[i] : x[i];
        s = WarpSum(s);
        if (Warp.IsFirstLane) partial[Warp.WarpIdx] = s;
        Group.Barrier();
        if (Warp.WarpIdx != 0) return;
        s = 0f;
        for (int w = Warp.LaneIdx; w < warps; w += Warp.WarpSize) s += partial[w];
        s = WarpSum(s);
        if (t == 0) result[0] = accumulate != 0 ? result[0] + scale * s : scale * s;
    }

    // Σ v over the lanes of the calling warp, returned to every lane; every lane of the warp must call it.
    public static float WarpSum(float v)
    {
        for (int mask = Warp.WarpSize / 2; mask > 0; mask /= 2) v += Warp.ShuffleXor(v, mask);
        return v;
    }

    // max v over the lanes of the calling warp, returned to every lane; every lane of the warp must call it.
    public static float WarpMax(float v)
    {
        for (int mask = Warp.WarpSize / 2; mask > 0; mask /= 2) v = XMath.Max(v, Warp.ShuffleXor(v, mask));
        return v;
    }
}
