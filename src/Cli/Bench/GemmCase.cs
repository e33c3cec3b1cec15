using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Cli.Bench;

/// <summary>
/// One matrix product C = op(A)·op(B) as the backend runs it: op(A) is M×K, op(B) is K×N, C is M×N. The MLP's three
/// products per layer are forms of it (B = batch, In = input features, Out = output features):
/// forward y = x·Wᵀ is B×In×Out (no/yes), dX = dY·W is B×Out×In (no/no), dW = dYᵀ·X is Out×B×In (yes/no).
/// </summary>
internal sealed record GemmCase(string Id, string What, int M, int N, int K, Transpose TransposeA, Transpose TransposeB)
{
    /// <summary>A layer's product (<see cref="BenchCases.Products"/>) as a case.</summary>
    public GemmCase(string id, string what, LayerProduct product)
        : this(id, what, product.M, product.N, product.K, product.TransposeA, product.TransposeB)
    {
    }

    private const int CheckedEntries = 16;

    /// <summary>Times the product on <paramref name="threads"/> threads and checks a sample of C.</summary>
    public BenchResult Run(int threads, BenchBudget budget, PeakFlops peak)
    {
        bool ta = TransposeA == Transpose.Yes, tb = TransposeB == Transpose.Yes;
        var rng = new Rng(7);
        Tensor a = BenchData.Uniform(rng, -1f, 1f, ta ? [K, M] : [M, K]);
        Tensor b = BenchData.Uniform(rng, -1f, 1f, tb ? [N, K] : [K, N]);
        Tensor c = Tensor.Zeros(M, N);
        CpuKernels.Threads = threads;
        double seconds = MedianTimer.Seconds(() => CpuCompute.Default.Gemm(c, a, TransposeA, b, TransposeB), budget);
        double flops = 2.0 * M * N * K;
        double peakGflops = threads == 1 ? peak.SingleCoreGflops : peak.AllCoresGflops;
        return new BenchResult
        {
            Id = Id,
            What = What,
            Kind = "gemm",
            Threads = threads,
            Seconds = seconds,
            Flops = flops,
            PercentOfPeak = peakGflops > 0 ? 100 * flops / seconds / 1e9 / peakGflops : null,
            M = M,
            N = N,
            K = K,
            TransposeA = ta,
            TransposeB = tb,
            Valid = Matches(c.Span, a.Span, b.Span, ta, tb, rng),
        };
    }

    /// <summary>
    /// Compares <see cref="CheckedEntries"/> random entries of C with a double-precision dot product, allowing an
    /// FP32 rounding error that grows with K and with the magnitudes summed: a kernel being rewritten must not be
    /// timed fast and wrong.
    /// </summary>
    private bool Matches(ReadOnlySpan<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, bool ta, bool tb, Rng rng)
    {
        for (int s = 0; s < CheckedEntries; s++)
        {
            int i = rng.NextInt(M), j = rng.NextInt(N);
            double sum = 0, magnitude = 0;
            for (int p = 0; p < K; p++)
            {
                double x = ta ? a[p * M + i] : a[i * K + p];
                double y = tb ? b[j * K + p] : b[p * N + j];
                sum += x * y;
                magnitude += Math.Abs(x * y);
            }
            if (!(Math.Abs(c[i * N + j] - sum) <= 1e-6 * K * magnitude + 1e-6)) return false;
        }
        return true;
    }
}
