using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// Row-wise kernels over [B, C] (B = rows, C = columns): softmax and its backward, the loss rows and ArgMax. Softmax,
/// its backward and the KL rows give each row a warp: lane l takes columns l, l + W, … and the row's max and sums are
/// warp-shuffle reductions (<see cref="ReductionKernels.WarpSum"/>), launched W·⌈B/rows per group⌉ threads wide; the
/// others give a row (or an element) a thread. The row results that a loss averages go to a scratch vector that
/// <see cref="ReductionKernels.Sum"/> then reduces (the NLL's are summed where they are computed,
/// <see cref="ReductionKernels.NllLoss"/>). The maths is that of
/// Cpu/Softmax.Reference.cs and Cpu/LossKernels.Reference.cs, in float.
/// </summary>
internal static class RowKernels
{
    // The row of the calling warp, or −1 past the last row (a whole warp leaves together, so no shuffle loses a lane).
    internal static int WarpRow(int rows)
    {
        int row = Grid.IdxX * (Group.DimX / Warp.WarpSize) + Warp.WarpIdx;
        return row < rows ? row : -1;
    }

    // y = softmax(x/T), or log-softmax, of the warp's row: max-shifted so that no exponent overflows.
    public static void Softmax(ArrayView<float> y, ArrayView<float> x, int rows, int columns, float temperature, int log)
    {
        int r = WarpRow(rows), lane = Warp.LaneIdx, w = Warp.WarpSize;
        if (r < 0) return;
        int start = r * columns;
        float max = x[start];
        for (int c = lane; c < columns; c += w) max = XMath.Max(max, x[start + c]);
        max = ReductionKernels.WarpMax(max);
        float sum = 0f;
        for (int c = lane; c < columns; c += w) sum += XMath.Exp((x[start + c] - max) / temperature);
        sum = ReductionKernels.WarpSum(sum);
        float logSum = XMath.Log(sum);
        for (int c = lane; c < columns; c += w)
        {
            float z = (x[start + c] - max) / temperature;
            y[start + c] = log != 0 ? z - logSum : XMath.Exp(z) / sum;
        }
    }

    // dx += s∘(dy − ⟨dy, s⟩)/T for softmax, (dy − e^y·Σdy)/T for log-softmax, from the output y; the warp's row.
    public static void SoftmaxBackward(ArrayView<float> dx, ArrayView<float> y, ArrayView<float> dy, int rows, int columns,
        float temperature, int log)
    {
        int r = WarpRow(rows), lane = Warp.LaneIdx, w = Warp.WarpSize;
        if (r < 0) return;
        int start = r * columns;
        float reduced = 0f;
        for (int c = lane; c < columns; c += w) reduced += log != 0 ? dy[start + c] : dy[start + c] * y[start + c];
        reduced = ReductionKernels.WarpSum(reduced);
        for (int c = lane; c < columns; c += w)
        {
            float g = dy[start + c], o = y[start + c];
            dx[start + c] += (log != 0 ? g - XMath.Exp(o) * reduced : o * (g - reduced)) / temperature;
        }
    }

    // The index of row r's largest element, the first one on ties; a NaN wins (as the CPU's).
    public static void ArgMax(Index1D r, ArrayView<int> indices, ArrayView<float> x, int columns)
    {
        int start = r * columns, best = 0;
        for (int c = 0; c < columns && !XMath.IsNaN(x[start + best]); c++)
            if (x[start + c] > x[start + best] || XMath.IsNaN(x[start + c])) best = c;
        indices[r] = best;
    }

    // Row r's NLL term (1−ε)·logp[r, label] + ε/C·Σ_c logp[r, c], or 0 for an unlabelled row (label < 0); the loss is
    // −Σ_r term_r / B (ReductionKernels.NllLoss).
    internal static float NllTerm(ArrayView<float> logp, int r, int label, int columns, float smoothing)
    {
        int start = r * columns;
        float rowSum = 0f;
        if (smoothing != 0f)
            for (int c = 0; c < columns; c++) rowSum += logp[start + c];
        return label < 0 ? 0f : (1f - smoothing) * logp[start + label] + smoothing / columns * rowSum;
    }

    // dlogits += (scale[0]·factor)·(e^logp − target)/B with target = (1−ε)·onehot(label) + ε/C and B = labelled[0], the
    // count of labelled rows (ReductionKernels.NllLoss or LabelKernels.LabelledCount), factor the loss's weight; one thread
    // per element. With accumulate 0 the element is written instead, 0 in an unlabelled row.
    public static void SoftmaxCrossEntropyBackward(Index1D i, ArrayView<float> dLogits, ArrayView<float> logp, ArrayView<int> labels,
        ArrayView<float> scale, float factor, int columns, float smoothing, ArrayView<float> labelled, int accumulate)
    {
        int label = labels[i / columns];
        if (label < 0)
        {
            if (accumulate == 0) dLogits[i] = 0f;
            return;
        }
        float target = (i % columns == label ? 1f - smoothing : 0f) + smoothing / columns;
        float gradient = scale[0] * factor * (XMath.Exp(logp[i]) - target) / labelled[0];
        dLogits[i] = accumulate != 0 ? dLogits[i] + gradient : gradient;
    }

    // The warp's row r of the distillation loss: KL_r(softmax(t/T) ‖ softmax(s/T)) into kl[r], dStudent = (ps − pt)/(T·B)
    // and, when hasTeacher, dTeacher = pt·((log pt − log ps) − KL_r)/(T·B); k = 1/(T·B).
    public static void KlDivergenceRows(ArrayView<float> kl, ArrayView<float> dStudent, ArrayView<float> dTeacher,
        ArrayView<float> student, ArrayView<float> teacher, int rows, int columns, float temperature, float k, int hasTeacher)
    {
        int r = WarpRow(rows), lane = Warp.LaneIdx, w = Warp.WarpSize;
        if (r < 0) return;
        int start = r * columns;
        float maxS = student[start], maxT = teacher[start];
        for (int c = lane; c < columns; c += w)
        {
            maxS = XMath.Max(maxS, student[start + c]);
            maxT = XMath.Max(maxT, teacher[start + c]);
        }
        maxS = ReductionKernels.WarpMax(maxS);
        maxT = ReductionKernels.WarpMax(maxT);
        float sumS = 0f, sumT = 0f;
        for (int c = lane; c < columns; c += w)
        {
            sumS += XMath.Exp((student[start + c] - maxS) / temperature);
            sumT += XMath.Exp((teacher[start + c] - maxT) / temperature);
        }
        float logSumS = XMath.Log(ReductionKernels.WarpSum(sumS)), logSumT = XMath.Log(ReductionKernels.WarpSum(sumT)), divergence = 0f;
        for (int c = lane; c < columns; c += w)
        {
            float ls = (student[start + c] - maxS) / temperature - logSumS, lt = (teacher[start + c] - maxT) / temperature - logSumT;
            divergence += XMath.Exp(lt) * (lt - ls);
        }
        divergence = ReductionKernels.WarpSum(divergence);
        if (lane == 0) kl[r] = divergence;
        for (int c = lane; c < columns; c += w)
        {
            float ls = (student[start + c] - maxS) / temperature - logSumS, lt = (teacher[start + c] - maxT) / temperature - logSumT;
            float pt = XMath.Exp(lt);
            dStudent[start + c] = (XMath.Exp(ls) - pt) * k;
            if (hasTeacher != 0) dTeacher[start + c] = pt * (lt - ls - divergence) * k;
        }
    }

    // terms[i] = max(x, 0) − x·y + log(1 + e^−|x|), binary cross-entropy on a logit.
    public static void BceTerms(Index1D i, ArrayView<float> terms, ArrayView<float> logits, ArrayView<float> targets)
    {
        float x = logits[i];
        terms[i] = XMath.Max(x, 0f) - x * targets[i] + XMath.Log(1f + XMath.Exp(-XMath.Abs(x)));
    }

    // dlogits += k·(σ(x) − y) and dtargets −= k·x with k = scale[0]/N, each when its flag is set.
    public static void BceBackward(Index1D i, ArrayView<float> dLogits, ArrayView<float> dTargets, ArrayView<float> logits,
        ArrayView<float> targets, ArrayView<float> scale, int n, int flags)
    {
        float k = scale[0] / n, x = logits[i];
        if ((flags & 1) != 0) dLogits[i] += k * (1f / (1f + XMath.Exp(-x)) - targets[i]);
        if ((flags & 2) != 0) dTargets[i] -= k * x;
    }
}
