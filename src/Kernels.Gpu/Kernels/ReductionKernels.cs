using ILGPU;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// Whole-vector sums in one group: each thread strides over the vector, then a shared-memory tree halves the
/// partial sums (group size a power of two, shared memory one float per thread). One group keeps the result
/// deterministic and the launch single; it is meant for loss rows and parameter norms, not for vectors of millions.
/// </summary>
internal static class ReductionKernels
{
    // result[0] (=|+=) scale·Σ x (or Σ x² when squares ≠ 0).
    public static void Sum(ArrayView<float> result, ArrayView<float> x, int n, float scale, int squares, int accumulate)
    {
        var partial = SharedMemory.GetDynamic<float>();
        int t = Group.IdxX;
        float s = 0f;
        for (int i = t; i < n; i += Group.DimX) s += squares != 0 ? x[i] * x[i] : x[i];
        partial[t] = s;
        Group.Barrier();
        for (int width = Group.DimX / 2; width > 0; width /= 2)
        {
            if (t < width) partial[t] += partial[t + width];
            Group.Barrier();
        }
        if (t == 0) result[0] = accumulate != 0 ? result[0] + scale * partial[0] : scale * partial[0];
    }
}
