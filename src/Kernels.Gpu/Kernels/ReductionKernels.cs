using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// Sums across threads with warp shuffles: the W lanes of a warp (W = <see cref="Warp.WarpSize"/>: 32 on NVIDIA GPUs,
/// 4 on ILGPU's CPU accelerator) exchange registers directly, log₂W butterfly steps with no shared memory and no
/// barrier (CUDA's <c>__shfl_xor_sync</c>). <see cref="Sum"/> reduces a whole vector in one group: each thread
/// strides over it, each warp reduces its lanes' partial sums by shuffles, and the first warp reduces the warps'
/// results (one shared float per warp, one barrier). One group keeps the result deterministic and the launch single;
/// it is meant for loss rows and parameter norms, not for vectors of millions. <see cref="NllLoss"/> is the same
/// reduction over the cross-entropy's rows, computing each row's term as it goes and counting the labelled rows beside.
/// </summary>
internal static class ReductionKernels
{
    // result[0] (=|+=) scale·Σ x (or Σ x² when squares ≠ 0). Shared memory: a float per warp of the group.
    public static void Sum(ArrayView<float> result, ArrayView<float> x, int n, float scale, int squares, int accumulate)
    {
        float s = GroupSum(SharedMemory.GetDynamic<float>(), x, n, squares);
        if (Group.IdxX == 0) result[0] = accumulate != 0 ? result[0] + scale * s : scale * s;
    }

    // Multi-tensor sums of squares: group g reduces slot g's tensor exactly as Sum does (results[g] = scale·Σ x²), so
    // each parameter's squared norm has the bits of its own SumOfSquares call.
    public static void SumsOfSquaresMany(TensorGroup group, ArrayView<float> results, float scale)
    {
        ArrayView<float> x = group[Grid.IdxX].P;
        float s = GroupSum(SharedMemory.GetDynamic<float>(), x, (int)x.Length, 1);
        if (Group.IdxX == 0) results[Grid.IdxX] = scale * s;
    }

    // Σ x (or Σ x²) of n elements over the calling group, in thread 0: each thread strides over x, each warp reduces its
    // lanes' sums by shuffles, and the first warp reduces the warps' (partial: one shared float per warp).
    private static float GroupSum(ArrayView<float> partial, ArrayView<float> x, int n, int squares)
    {
        int warps = Group.DimX / Warp.WarpSize;
        float s = 0f;
        for (int i = Group.IdxX; i < n; i += Group.DimX) s += squares != 0 ? x[i] * x[i] : x[i];
        s = WarpSum(s);
        if (Warp.IsFirstLane) partial[Warp.WarpIdx] = s;
        Group.Barrier();
        if (Warp.WarpIdx != 0) return 0f;
        s = 0f;
        for (int w = Warp.LaneIdx; w < warps; w += Warp.WarpSize) s += partial[w];
        return WarpSum(s);
    }

    // The cross-entropy's NLL in one launch: loss[0] = −Σ_r term_r / B over the B labelled rows (0 when B = 0;
    // RowKernels.NllTerm) and count[0] = B, for the backward. Rows are strided and reduced as Sum strides and reduces
    // the terms (thread t adds rows t, t + G, …), so the loss has the bits of the row terms summed by Sum with scale −1
    // and divided by B; B is summed beside it, exactly (a float holds integers to 2²⁴). Unlabelled rows (label −1) add 0
    // and are not counted. The loss is then multiplied by weight (a weighted term of a sum of losses). Shared memory: two
    // floats per warp of the group (term sums, then counts).
    public static void NllLoss(ArrayView<float> loss, ArrayView<float> count, ArrayView<float> logp, ArrayView<int> labels, int rows,
        int columns, float smoothing, float weight)
    {
        var partial = SharedMemory.GetDynamic<float>();
        int t = Group.IdxX, warps = Group.DimX / Warp.WarpSize;
        float s = 0f, n = 0f;
        for (int r = t; r < rows; r += Group.DimX)
        {
            int label = labels[r];
            s += RowKernels.NllTerm(logp, r, label, columns, smoothing);
            if (label >= 0) n += 1f;
        }
        s = WarpSum(s);
        n = WarpSum(n);
        if (Warp.IsFirstLane)
        {
            partial[Warp.WarpIdx] = s;
            partial[warps + Warp.WarpIdx] = n;
        }
        Group.Barrier();
        if (Warp.WarpIdx != 0) return;
        s = 0f;
        n = 0f;
        for (int w = Warp.LaneIdx; w < warps; w += Warp.WarpSize)
        {
            s += partial[w];
            n += partial[warps + w];
        }
        s = WarpSum(s);
        n = WarpSum(n);
        if (t != 0) return;
        loss[0] = n == 0f ? 0f : -s / n * weight;
        count[0] = n;
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
