using ILGPU;
using ILGPU.Algorithms;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// Embedding lookups, their backward and lazy Adam, written operation for operation as Cpu/EmbeddingReference.cs and
/// Cpu/OptimizerReference.SparseAdam, so that the ILGPU CPU accelerator gives the CPU backend's numbers bit for bit.
/// D = row width; a bag b holds the indices [offsets[b], offsets[b + 1]), or just b when there are no offsets.
/// </summary>
internal static class EmbeddingKernels
{
    // y[b, c] = Σ_j table[indices[j], c] over bag b (× 1/|bag| when mean and |bag| > 1); one thread per output element.
    public static void Forward(Index1D i, ArrayView<float> y, ArrayView<float> table, ArrayView<int> indices, ArrayView<int> offsets,
        int width, int hasOffsets, int mean)
    {
        int b = i / width, c = i % width;
        int start = hasOffsets != 0 ? offsets[b] : b, end = hasOffsets != 0 ? offsets[b + 1] : b + 1;
        float sum = 0f;
        for (int j = start; j < end; j++) sum += table[indices[j] * width + c];
        y[i] = mean != 0 && end - start > 1 ? sum * (1f / (end - start)) : sum;
    }

    // rows[slots[j], c] += dy[b, c] (× 1/|bag| when mean and |bag| > 1) for every index j of every bag b. Several indices
    // may name the same slot, so one thread owns column c of every row and walks the bags and their indices in order:
    // no atomics, and the additions into each element happen in the CPU's order, so the result is the CPU's bit for
    // bit and the same on every run. The price is parallelism over D only: BackwardGrouped is the parallel twin, used
    // whenever the caller has the indices grouped by slot (a staged sparse gradient); this one serves the rest.
    public static void Backward(Index1D c, ArrayView<float> rows, ArrayView<float> dy, ArrayView<int> slots, ArrayView<int> offsets,
        int width, int bags, int hasOffsets, int mean)
    {
        for (int b = 0; b < bags; b++)
        {
            int start = hasOffsets != 0 ? offsets[b] : b, end = hasOffsets != 0 ? offsets[b + 1] : b + 1;
            float scale = mean != 0 && end - start > 1 ? 1f / (end - start) : 1f;
            float g = dy[b * width + c] * scale;
            for (int j = start; j < end; j++) rows[slots[j] * width + c] += g;
        }
    }

    // The same sums with one thread per element (s, c) of the S collecting rows. groups = [starts (S + 1) | bags (N)]:
    // slot s collects the bags groups[S + 1 + starts[s] .. S + 1 + starts[s + 1]), listed in increasing index order,
    // the order in which Backward (and the CPU) add into that row, so each element is summed in the same order, from
    // its current value, with the same float operations: bit for bit the same, deterministic, and no atomics.
    public static void BackwardGrouped(Index1D i, ArrayView<float> rows, ArrayView<float> dy, ArrayView<int> groups, ArrayView<int> offsets,
        int width, int slotCount, int hasOffsets, int mean)
    {
        int s = i / width, c = i % width;
        float sum = rows[i];
        for (int k = groups[s]; k < groups[s + 1]; k++)
        {
            int b = groups[slotCount + 1 + k];
            int start = hasOffsets != 0 ? offsets[b] : b, end = hasOffsets != 0 ? offsets[b + 1] : b + 1;
            float scale = mean != 0 && end - start > 1 ? 1f / (end - start) : 1f;
            float g = dy[b * width + c] * scale;
            sum += g;
        }
        rows[i] = sum;
    }

    // PyTorch 1.13 SparseAdam on element (k, c) of the listed rows: m += (g − m)(1 − β1), v += (g² − v)(1 − β2),
    // p += −lr·√bc2/bc1 · m/(√v + ε). One thread per element; the listed rows are distinct (RowSparseGradient.Rows).
    public static void SparseAdam(Index1D i, ArrayView<float> p, ArrayView<int> rows, ArrayView<float> g, ArrayView<float> m,
        ArrayView<float> v, int width, SparseAdamScalars s)
    {
        int k = i / width, e = rows[k] * width + i % width;
        float gi = g[i];
        m[e] += (gi - m[e]) * s.OneMinusBeta1;
        v[e] += (gi * gi - v[e]) * s.OneMinusBeta2;
        p[e] += s.NegativeStepSize * (m[e] / (XMath.Sqrt(v[e]) + s.Epsilon));
    }
}

/// <summary>The scalars of <see cref="EmbeddingKernels.SparseAdam"/>, computed on the host as the CPU's SparseAdamOperator does.</summary>
internal readonly record struct SparseAdamScalars(float OneMinusBeta1, float OneMinusBeta2, float NegativeStepSize, float Epsilon);
