using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// Kernels along one axis of a tensor viewed as [outer, n, inner] (the CPU's Cpu/Reductions.Reference.cs): the
/// reductions, their inverse broadcast, the sum back to a broadcast operand's shape, the transpose of the last two
/// axes and the slice copy that concatenation uses. One thread per output element, which loops over the axis; a
/// reduction over a long axis (<see cref="ReduceWarp"/>) gives each output a warp instead.
/// </summary>
internal static class AxisKernels
{
    internal const int Sum = 0, Mean = 1, Max = 2;

    // y[o, i] (=|+=) scale · reduce over a of x[o, a, i]; thread index = o·inner + i. The mean's 1/n is in scale.
    public static void Reduce(Index1D j, ArrayView<float> y, ArrayView<float> x, int n, int inner, int op, float scale, int accumulate)
    {
        int o = j / inner, i = j % inner, start = o * n * inner + i;
        float v = op == Max ? x[start] : 0f;
        for (int a = 0; a < n; a++)
        {
            float e = x[start + a * inner];
            v = op != Max ? v + e : MaxKeepingNaN(v, e);
        }
        y[j] = accumulate != 0 ? y[j] + scale * v : scale * v;
    }

    // ReLU's backward and the bias gradient in one pass over [rows, columns]: dpre = dy where y > 0, else 0 (written), and
    // sums[c] (=|+=) Σ_r dpre[r, c]. A group covers W consecutive columns (x, a warp's width) with P row phases (y): thread
    // (x, y) walks rows y, y + P, … of its column, so the W threads of a row read and write neighbouring floats; the P
    // partial sums of a column meet in shared memory (W·P floats) and are added in phase order.
    public static void ReluBackwardColumnSums(ArrayView<float> dpre, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> sums,
        int rows, int columns, int accumulate)
    {
        var partial = SharedMemory.GetDynamic<float>();
        int x = Group.IdxX, phase = Group.IdxY, width = Group.DimX, phases = Group.DimY;
        int c = Grid.IdxX * width + x;
        float s = 0f;
        if (c < columns)
            for (int r = phase; r < rows; r += phases)
            {
                int i = r * columns + c;
                float d = y[i] > 0f ? dy[i] : 0f;
                dpre[i] = d;
                s += d;
            }
        partial[phase * width + x] = s;
        Group.Barrier();
        if (phase != 0 || c >= columns) return;
        float total = partial[x];
        for (int p = 1; p < phases; p++) total += partial[p * width + x];
        sums[c] = accumulate != 0 ? sums[c] + total : total;
    }

    // Reduce with a warp per output j = o·inner + i, for axes longer than a warp: lane l folds a = l, l + W, …, and the
    // lanes' partial results meet by shuffles. Sums come out in another order than the CPU's (within rounding); the max
    // is exact, and any NaN wins. Launched W·⌈outputs / warps per group⌉ threads wide.
    public static void ReduceWarp(ArrayView<float> y, ArrayView<float> x, int outputs, int n, int inner, int op, float scale, int accumulate)
    {
        int j = RowKernels.WarpRow(outputs);
        if (j < 0) return;
        int o = j / inner, i = j % inner, start = o * n * inner + i;
        float v = op == Max ? x[start] : 0f;
        for (int a = Warp.LaneIdx; a < n; a += Warp.WarpSize)
        {
            float e = x[start + a * inner];
            v = op != Max ? v + e : MaxKeepingNaN(v, e);
        }
        if (op == Max)
            for (int mask = Warp.WarpSize / 2; mask > 0; mask /= 2) v = MaxKeepingNaN(v, Warp.ShuffleXor(v, mask));
        else v = ReductionKernels.WarpSum(v);
        if (Warp.IsFirstLane) y[j] = accumulate != 0 ? y[j] + scale * v : scale * v;
    }

    // max(v, e) where a NaN on either side wins (as the CPU's max, which keeps the first NaN it meets).
    private static float MaxKeepingNaN(float v, float e) => XMath.IsNaN(v) || !(e > v || XMath.IsNaN(e)) ? v : e;

    // y[o, a, i] (=|+=) scale·x[o, i]; thread index = the flat index of y.
    public static void BroadcastAxis(Index1D k, ArrayView<float> y, ArrayView<float> x, int n, int inner, float scale, int accumulate)
    {
        int i = k % inner, o = k / (n * inner);
        float v = x[o * inner + i] * scale;
        y[k] = accumulate != 0 ? y[k] + v : v;
    }

    // y (=|+=) scale · Σ x over the dimensions where y (padded) has size 1 and x more; thread index = flat index of y.
    public static void SumTo(Index1D j, ArrayView<float> y, ArrayView<float> x, Dims4 xShape, Dims4 yShape, float scale, int accumulate)
    {
        int r = j, c3 = r % yShape.D3;
        r /= yShape.D3;
        int c2 = r % yShape.D2;
        r /= yShape.D2;
        int c1 = r % yShape.D1, c0 = r / yShape.D1;
        float sum = 0f;
        for (int i0 = yShape.D0 == 1 ? 0 : c0; i0 < (yShape.D0 == 1 ? xShape.D0 : c0 + 1); i0++)
            for (int i1 = yShape.D1 == 1 ? 0 : c1; i1 < (yShape.D1 == 1 ? xShape.D1 : c1 + 1); i1++)
                for (int i2 = yShape.D2 == 1 ? 0 : c2; i2 < (yShape.D2 == 1 ? xShape.D2 : c2 + 1); i2++)
                    for (int i3 = yShape.D3 == 1 ? 0 : c3; i3 < (yShape.D3 == 1 ? xShape.D3 : c3 + 1); i3++)
                        sum += x[((i0 * xShape.D1 + i1) * xShape.D2 + i2) * xShape.D3 + i3];
        y[j] = accumulate != 0 ? y[j] + scale * sum : scale * sum;
    }

    // y[b, c, r] (=|+=) x[b, r, c] for batch matrices of rows×cols; thread index = flat index of x.
    public static void TransposeLastTwo(Index1D k, ArrayView<float> y, ArrayView<float> x, int rows, int cols, int accumulate)
    {
        int c = k % cols, r = k / cols % rows, b = k / (rows * cols);
        int target = (b * cols + c) * rows + r;
        y[target] = accumulate != 0 ? y[target] + x[k] : x[k];
    }

    // y[o, yStart + s, i] (=|+=) x[o, xStart + s, i] for s < count; thread index = (o·count + s)·inner + i.
    public static void CopyAlongAxis(Index1D k, ArrayView<float> y, ArrayView<float> x, AxisCopy copy, int accumulate)
    {
        int i = k % copy.Inner, s = k / copy.Inner % copy.Count, o = k / (copy.Inner * copy.Count);
        float v = x[(o * copy.XSize + copy.XStart + s) * copy.Inner + i];
        int target = (o * copy.YSize + copy.YStart + s) * copy.Inner + i;
        y[target] = accumulate != 0 ? y[target] + v : v;
    }
}

/// <summary>The geometry of one <see cref="AxisKernels.CopyAlongAxis"/>: slices [start, start + Count) of an axis of size XSize/YSize.</summary>
internal readonly record struct AxisCopy(int Inner, int Count, int XSize, int XStart, int YSize, int YStart);
