using TinyKd.Gpu;
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

    /// <summary>
    /// The products of an MLP's layers (In → Out, input to output) at <paramref name="batch"/>: every layer's three forms
    /// but the last's, whose forward alone is timed (the 10-way head's gradients are tiny).
    /// </summary>
    public static IEnumerable<GemmCase> LayerProducts(IReadOnlyList<(int In, int Out)> layers, int batch)
    {
        for (int l = 0; l < layers.Count; l++)
        {
            var (inputs, outputs) = layers[l];
            string layer = $"{batch}×{inputs}×{outputs}";
            bool head = l == layers.Count - 1;
            foreach (LayerProduct product in BenchCases.Products(inputs, outputs, batch).Where(p => !head || p.Name == "forward"))
                yield return new GemmCase($"fc{l + 1}_{product.Name}", $"{layer} {product.Description}", product);
        }
    }

    /// <summary>Times the product on <paramref name="threads"/> threads and checks a sample of C.</summary>
    public BenchResult Run(int threads, BenchBudget budget, PeakFlops peak)
    {
        var (a, b, c, rng) = Operands();
        CpuKernels.Threads = threads;
        double seconds = MedianTimer.Seconds(() => CpuCompute.Default.Gemm(c, a, TransposeA, b, TransposeB), budget);
        double peakGflops = threads == 1 ? peak.SingleCoreGflops : peak.AllCoresGflops;
        BenchResult result = Checked(seconds, threads, c, a, b, rng);
        return result with { PercentOfPeak = peakGflops > 0 ? 100 * result.Gflops / peakGflops : null };
    }

    /// <summary>
    /// Times the product on <paramref name="device"/> with one GEMM kernel version — operands uploaded once, each timed
    /// repetition ending when the device has finished — then checks a sample of C brought back to the host. The row's
    /// id and label name the version.
    /// </summary>
    public BenchResult RunOn(GpuCompute device, GemmVersion version, BenchBudget budget)
    {
        var (a, b, c, rng) = Operands();
        Tensor da = Tensor.Upload(a.Span, a.Shape, device), db = Tensor.Upload(b.Span, b.Shape, device), dc = Tensor.Zeros(c.Shape, device);
        try
        {
            double seconds = MedianTimer.Seconds(() => device.Gemm(version, dc, da, TransposeA, db, TransposeB), budget, device.Synchronize);
            device.CopyToHost(dc, c.Span);
            string kernel = version switch { GemmVersion.Tiled => "tiled", GemmVersion.RegisterBlocked => "blocked", GemmVersion.RegisterBlocked8 => "blocked8x8", _ => "splitk" };
            return Checked(seconds, threads: 0, c, a, b, rng) with { Id = $"{Id}_{kernel}", What = $"{What}, {kernel}", Device = device.Name };
        }
        finally
        {
            da.Storage.Dispose();
            db.Storage.Dispose();
            dc.Storage.Dispose();
        }
    }

    // The seeded operands (op(A) M×K, op(B) K×N, in their stored layouts), C zeroed, and the generator that picks the checked entries.
    private (Tensor A, Tensor B, Tensor C, Rng Rng) Operands()
    {
        var rng = new Rng(7);
        Tensor a = BenchData.Uniform(rng, -1f, 1f, TransposeA == Transpose.Yes ? [K, M] : [M, K]);
        Tensor b = BenchData.Uniform(rng, -1f, 1f, TransposeB == Transpose.Yes ? [N, K] : [K, N]);
        return (a, b, Tensor.Zeros(M, N), rng);
    }

    // The row of a timed product whose host result is c.
    private BenchResult Checked(double seconds, int threads, Tensor c, Tensor a, Tensor b, Rng rng)
    {
        bool ta = TransposeA == Transpose.Yes, tb = TransposeB == Transpose.Yes;
        return new BenchResult
        {
            Id = Id,
            What = What,
            Kind = "gemm",
            Threads = threads,
            Seconds = seconds,
            Flops = 2.0 * M * N * K,
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
