using System.Runtime.InteropServices;

namespace TinyKd.Cli.Bench;

/// <summary>
/// OpenBLAS loaded at run time, for an in-process SGEMM reference (<c>tinykd bench --openblas</c>): never a build or
/// package dependency, only a shared library the machine may have (Debian: libopenblas0-pthread).
/// </summary>
/// <remarks>
/// Its <c>cblas_sgemm</c> (32-bit integers, as Debian builds it) runs the same row-major products as TinyKd, in the same
/// process and interleaved with it, so both see the same machine state: on a shared 2-core machine, figures taken
/// minutes apart by separate processes differ by more than the kernels do. OpenBLAS chooses its kernels by its own CPU
/// detection, or by <c>OPENBLAS_CORETYPE</c> when set before the process starts; <see cref="Core"/> says which ran.
/// The library stays loaded for the life of the process, as a P/Invoke library would: unloading it while its thread
/// pool is alive is not safe.
/// </remarks>
internal sealed unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    /// <summary>The names tried when no path is given.</summary>
    private static readonly string[] DefaultNames = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas.dll"];

    private readonly nint _handle;
    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;

    private OpenBlas(nint handle, string name)
    {
        _handle = handle;
        Library = name;
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)Export("cblas_sgemm");
        _setThreads = (delegate* unmanaged<int, void>)Export("openblas_set_num_threads");
        var coreName = (delegate* unmanaged<nint>)Export("openblas_get_corename");
        Core = Marshal.PtrToStringAnsi(coreName()) ?? "unknown";
    }

    /// <summary>The library file or name that was loaded.</summary>
    public string Library { get; }

    /// <summary>The kernel set OpenBLAS runs on this machine, e.g. "Zen" or "Cooperlake".</summary>
    public string Core { get; }

    /// <summary>Loads OpenBLAS from <paramref name="path"/>, or by its usual names when null.</summary>
    /// <exception cref="UsageException">The library cannot be loaded or is not OpenBLAS (names the path and how to install it).</exception>
    public static OpenBlas Load(string? path)
    {
        foreach (string name in path is null ? DefaultNames : [path])
        {
            if (!NativeLibrary.TryLoad(name, out nint handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _) && NativeLibrary.TryGetExport(handle, "openblas_get_corename", out _)
                && NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out _))
                return new OpenBlas(handle, name);
            NativeLibrary.Free(handle);
            throw new UsageException($"option '--openblas': {name} loads but is not OpenBLAS (no cblas_sgemm, openblas_get_corename, openblas_set_num_threads)");
        }
        throw new UsageException(path is null
            ? $"option '--openblas': OpenBLAS not found (tried {string.Join(", ", DefaultNames)}); install it (Debian: apt-get install libopenblas0-pthread) or give its path"
            : $"option '--openblas': cannot load '{path}'");
    }

    /// <summary>Threads OpenBLAS's own pool uses from now on.</summary>
    public void SetThreads(int threads) => _setThreads(threads);

    /// <summary>
    /// C = op(A)·op(B) (α = 1, β = 0), row-major, op(A) M×K and op(B) K×N; A is stored [K, M] when transposed, B
    /// [N, K] — the layouts of <see cref="Tensors.ICompute.Gemm"/>.
    /// </summary>
    public void Sgemm(int m, int n, int k, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB, Span<float> c)
    {
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new ArgumentException($"Sgemm {m}×{n}×{k}: operands of {a.Length}, {b.Length} and {c.Length} floats are too short.");
        fixed (float* pa = a, pb = b, pc = c)
            _sgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k, 1f,
                pa, transposeA ? m : k, pb, transposeB ? k : n, 0f, pc, n);
    }

    private nint Export(string name) => NativeLibrary.GetExport(_handle, name);
}
