using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The drivers of the operator structs (see VectorOperators.cs): each owns one loop shape — map, map-and-sum, sum,
/// max, update — and runs it on the <see cref="KernelPath"/> it is given. Inner loops trust their callers: spans
/// are at least as long as the first input (the public boundary checked the shapes). Outputs may alias inputs
/// element for element (y = f(y), dx += f(x, dx)), never at an offset.
/// </summary>
/// <remarks>
/// The remainder, where most of the care goes because rows are often short (10 classes): every driver steps 16
/// floats (AVX-512) or 8 (AVX2) and finishes a span of at least one vector with one more full vector ending at the
/// last element, overlapping elements already done; spans shorter than 8 go to the scalar Invoke (the AVX-512 path
/// takes 8–15 as one 8-wide step plus the overlap). The overlapping vector's inputs are loaded before the loop, so an
/// in-place map computes the overlap from the original inputs and stores the same bits again; a sum counts only
/// its new lanes, a max needs no care. All drivers cut a span the same way, so a pass reading a row that the
/// previous pass just wrote loads exactly what was stored and the stores forward to the loads. Two alternatives
/// were measured slower on this AMD Zen 4: masked stores (~8 ns each, as much as the rest of a 10-class row) and
/// masked loads over data just stored in pieces (no store forwarding: the 10-class KD loss ran 12% slower).
/// The three Invokes of an operator return the same bits, so where an element is computed does not change it.
/// Sums accumulate in one float vector and add its lanes at the end, so their rounding (not their value) depends
/// on the path: callers that need more compare with a tolerance, or combine rows in double.
/// The drivers are inlined into their callers: a kernel over short rows calls three or more drivers per row, and a
/// call per pass cost about as much as the pass itself (2× on a 128×10 softmax without tiered PGO). The callers are
/// compiled fully optimised at their first call and never inlined elsewhere (NoInlining | AggressiveOptimization):
/// as tier-0 code a driver is a call and every Vector512 helper in it another, and a caller inlined into some tier-1
/// method may leave its 900-byte driver behind as a separate tier-0 call (docs/elementwise-ops.md).
/// Each loop is written once per width on purpose. Written once over the vector type (Vector512 or Vector256 of
/// float behind helpers that branch on typeof, .NET's ISimdVector being internal), the loops compiled to the same
/// instructions in 14 of the 19 callers compared, but where several drivers are inlined together the JIT stopped
/// hoisting the operators' broadcasts (KlDivergenceKernel.Rows: 275 instead of 259 instructions in its vector loops,
/// 8 instead of 4 stack accesses), and the helpers took more lines (499) than the twins they replaced (414).
/// </remarks>
internal static class VectorLoop
{
    /// <summary>y[i] = f(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Map<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator
    {
        Debug.Assert(y.Length >= x.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> xLast = Vector512.LoadUnsafe(ref xr, n - 16);
            for (; i + 16 <= n; i += 16) op.Invoke(Vector512.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
            if (i < n) op.Invoke(xLast).StoreUnsafe(ref yr, n - 16);
            return;
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> xLast = Vector256.LoadUnsafe(ref xr, n - 8);
            for (; i + 8 <= n; i += 8) op.Invoke(Vector256.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
            if (i < n) op.Invoke(xLast).StoreUnsafe(ref yr, n - 8);
            return;
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref xr, i));
    }

    /// <summary>
    /// y[i] = f(a[i], b[i]). Four vectors per step while they last: with one vector per step the binary ops over
    /// [128, 1200] ran 15–25% slower than TensorPrimitives (loop overhead on L2-resident data); four per step match it.
    /// The cuts stay on the same 16- (8-) float boundaries, so the results and the store forwarding are unchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Map<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOp : struct, IBinaryOperator
    {
        Debug.Assert(b.Length >= a.Length && y.Length >= a.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)a.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> aLast = Vector512.LoadUnsafe(ref ar, n - 16), bLast = Vector512.LoadUnsafe(ref br, n - 16);
            for (; i + 64 <= n; i += 64)
            {
                Vector512<float> y0 = op.Invoke(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i));
                Vector512<float> y1 = op.Invoke(Vector512.LoadUnsafe(ref ar, i + 16), Vector512.LoadUnsafe(ref br, i + 16));
                Vector512<float> y2 = op.Invoke(Vector512.LoadUnsafe(ref ar, i + 32), Vector512.LoadUnsafe(ref br, i + 32));
                Vector512<float> y3 = op.Invoke(Vector512.LoadUnsafe(ref ar, i + 48), Vector512.LoadUnsafe(ref br, i + 48));
                y0.StoreUnsafe(ref yr, i);
                y1.StoreUnsafe(ref yr, i + 16);
                y2.StoreUnsafe(ref yr, i + 32);
                y3.StoreUnsafe(ref yr, i + 48);
            }
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i)).StoreUnsafe(ref yr, i);
            if (i < n) op.Invoke(aLast, bLast).StoreUnsafe(ref yr, n - 16);
            return;
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> aLast = Vector256.LoadUnsafe(ref ar, n - 8), bLast = Vector256.LoadUnsafe(ref br, n - 8);
            for (; i + 32 <= n; i += 32)
            {
                Vector256<float> y0 = op.Invoke(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i));
                Vector256<float> y1 = op.Invoke(Vector256.LoadUnsafe(ref ar, i + 8), Vector256.LoadUnsafe(ref br, i + 8));
                Vector256<float> y2 = op.Invoke(Vector256.LoadUnsafe(ref ar, i + 16), Vector256.LoadUnsafe(ref br, i + 16));
                Vector256<float> y3 = op.Invoke(Vector256.LoadUnsafe(ref ar, i + 24), Vector256.LoadUnsafe(ref br, i + 24));
                y0.StoreUnsafe(ref yr, i);
                y1.StoreUnsafe(ref yr, i + 8);
                y2.StoreUnsafe(ref yr, i + 16);
                y3.StoreUnsafe(ref yr, i + 24);
            }
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i)).StoreUnsafe(ref yr, i);
            if (i < n) op.Invoke(aLast, bLast).StoreUnsafe(ref yr, n - 8);
            return;
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
    }

    /// <summary>y[i] = f(a[i], b[i], c[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Map<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y)
        where TOp : struct, ITernaryOperator
    {
        Debug.Assert(b.Length >= a.Length && c.Length >= a.Length && y.Length >= a.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)a.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> aLast = Vector512.LoadUnsafe(ref ar, n - 16), bLast = Vector512.LoadUnsafe(ref br, n - 16),
                cLast = Vector512.LoadUnsafe(ref cr, n - 16);
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i), Vector512.LoadUnsafe(ref cr, i)).StoreUnsafe(ref yr, i);
            if (i < n) op.Invoke(aLast, bLast, cLast).StoreUnsafe(ref yr, n - 16);
            return;
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> aLast = Vector256.LoadUnsafe(ref ar, n - 8), bLast = Vector256.LoadUnsafe(ref br, n - 8),
                cLast = Vector256.LoadUnsafe(ref cr, n - 8);
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i), Vector256.LoadUnsafe(ref cr, i)).StoreUnsafe(ref yr, i);
            if (i < n) op.Invoke(aLast, bLast, cLast).StoreUnsafe(ref yr, n - 8);
            return;
        }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), Unsafe.Add(ref cr, i));
    }

    /// <summary>y[i] += f(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MapAdd<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator =>
        Map(path, new AddUnary<TOp>(op), x, y, y);

    /// <summary>y[i] += f(a[i], b[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MapAdd<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOp : struct, IBinaryOperator =>
        Map(path, new AddBinary<TOp>(op), a, b, y, y);

    /// <summary>y[i] = f(x[i]) and returns Σ y[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MapSum<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator
    {
        Debug.Assert(y.Length >= x.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> xLast = Vector512.LoadUnsafe(ref xr, n - 16), acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> v = op.Invoke(Vector512.LoadUnsafe(ref xr, i));
                v.StoreUnsafe(ref yr, i);
                acc += v;
            }
            if (i < n)
            {
                Vector512<float> v = op.Invoke(xLast);
                v.StoreUnsafe(ref yr, n - 16);
                acc += v & LastLanes512(n - i);
            }
            return Vector512.Sum(acc);
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> xLast = Vector256.LoadUnsafe(ref xr, n - 8), acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> v = op.Invoke(Vector256.LoadUnsafe(ref xr, i));
                v.StoreUnsafe(ref yr, i);
                acc += v;
            }
            if (i < n)
            {
                Vector256<float> v = op.Invoke(xLast);
                v.StoreUnsafe(ref yr, n - 8);
                acc += v & LastLanes256(n - i);
            }
            return Vector256.Sum(acc);
        }
        float sum = 0f;
        for (; i < n; i++)
        {
            float v = op.Invoke(Unsafe.Add(ref xr, i));
            Unsafe.Add(ref yr, i) = v;
            sum += v;
        }
        return sum;
    }

    /// <summary>Σ f(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> x) where TOp : struct, IUnaryOperator
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) acc += op.Invoke(Vector512.LoadUnsafe(ref xr, i));
            if (i < n) acc += op.Invoke(Vector512.LoadUnsafe(ref xr, n - 16)) & LastLanes512(n - i);
            return Vector512.Sum(acc);
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) acc += op.Invoke(Vector256.LoadUnsafe(ref xr, i));
            if (i < n) acc += op.Invoke(Vector256.LoadUnsafe(ref xr, n - 8)) & LastLanes256(n - i);
            return Vector256.Sum(acc);
        }
        float sum = 0f;
        for (; i < n; i++) sum += op.Invoke(Unsafe.Add(ref xr, i));
        return sum;
    }

    /// <summary>Σ f(a[i], b[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b) where TOp : struct, IBinaryOperator
    {
        Debug.Assert(b.Length >= a.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        nuint n = (nuint)a.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) acc += op.Invoke(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i));
            if (i < n) acc += op.Invoke(Vector512.LoadUnsafe(ref ar, n - 16), Vector512.LoadUnsafe(ref br, n - 16)) & LastLanes512(n - i);
            return Vector512.Sum(acc);
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) acc += op.Invoke(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i));
            if (i < n) acc += op.Invoke(Vector256.LoadUnsafe(ref ar, n - 8), Vector256.LoadUnsafe(ref br, n - 8)) & LastLanes256(n - i);
            return Vector256.Sum(acc);
        }
        float sum = 0f;
        for (; i < n; i++) sum += op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
        return sum;
    }

    /// <summary>Σ f(a[i], b[i], c[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TOp>(KernelPath path, TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
        where TOp : struct, ITernaryOperator
    {
        Debug.Assert(b.Length >= a.Length && c.Length >= a.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        nuint n = (nuint)a.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
                acc += op.Invoke(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i), Vector512.LoadUnsafe(ref cr, i));
            if (i < n)
            {
                nuint last = n - 16;
                acc += op.Invoke(Vector512.LoadUnsafe(ref ar, last), Vector512.LoadUnsafe(ref br, last), Vector512.LoadUnsafe(ref cr, last))
                    & LastLanes512(n - i);
            }
            return Vector512.Sum(acc);
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
                acc += op.Invoke(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i), Vector256.LoadUnsafe(ref cr, i));
            if (i < n)
            {
                nuint last = n - 8;
                acc += op.Invoke(Vector256.LoadUnsafe(ref ar, last), Vector256.LoadUnsafe(ref br, last), Vector256.LoadUnsafe(ref cr, last))
                    & LastLanes256(n - i);
            }
            return Vector256.Sum(acc);
        }
        float sum = 0f;
        for (; i < n; i++) sum += op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), Unsafe.Add(ref cr, i));
        return sum;
    }

    /// <summary>
    /// The largest element (−∞ for an empty span). A NaN may or may not be returned; callers whose result must
    /// then be NaN (softmax) get it from the NaN element itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(KernelPath path, ReadOnlySpan<float> x)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            Vector512<float> acc = Vector512.LoadUnsafe(ref xr, n - 16);
            for (; i + 16 <= n; i += 16) acc = Vector512.MaxNative(acc, Vector512.LoadUnsafe(ref xr, i));
            return MaxOf(Vector256.MaxNative(acc.GetLower(), acc.GetUpper()));
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            Vector256<float> acc = Vector256.LoadUnsafe(ref xr, n - 8);
            for (; i + 8 <= n; i += 8) acc = Vector256.MaxNative(acc, Vector256.LoadUnsafe(ref xr, i));
            return MaxOf(acc);
        }
        float max = float.NegativeInfinity;
        for (; i < n; i++) max = MathF.Max(max, Unsafe.Add(ref xr, i));
        return max;
    }

    /// <summary>
    /// p[i], s1[i], s2[i] updated in place from g[i]; s1 and s2 are not touched (and may be empty) when the operator
    /// uses fewer states.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update<TOp>(KernelPath path, TOp op, Span<float> p, ReadOnlySpan<float> g, Span<float> s1, Span<float> s2)
        where TOp : struct, IUpdateOperator
    {
        Debug.Assert(g.Length >= p.Length && (TOp.StateCount < 1 || s1.Length >= p.Length) && (TOp.StateCount < 2 || s2.Length >= p.Length));
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float ar = ref MemoryMarshal.GetReference(s1);
        ref float br = ref MemoryMarshal.GetReference(s2);
        nuint n = (nuint)p.Length, i = 0;
        if (path == KernelPath.Avx512 && n >= 16)
        {
            nuint last = n - 16;
            Vector512<float> pLast = Vector512.LoadUnsafe(ref pr, last), gLast = Vector512.LoadUnsafe(ref gr, last);
            Vector512<float> aLast = TOp.StateCount >= 1 ? Vector512.LoadUnsafe(ref ar, last) : default;
            Vector512<float> bLast = TOp.StateCount >= 2 ? Vector512.LoadUnsafe(ref br, last) : default;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> pv = Vector512.LoadUnsafe(ref pr, i);
                Vector512<float> av = TOp.StateCount >= 1 ? Vector512.LoadUnsafe(ref ar, i) : default;
                Vector512<float> bv = TOp.StateCount >= 2 ? Vector512.LoadUnsafe(ref br, i) : default;
                op.Invoke(ref pv, Vector512.LoadUnsafe(ref gr, i), ref av, ref bv);
                pv.StoreUnsafe(ref pr, i);
                if (TOp.StateCount >= 1) av.StoreUnsafe(ref ar, i);
                if (TOp.StateCount >= 2) bv.StoreUnsafe(ref br, i);
            }
            if (i < n)
            {
                op.Invoke(ref pLast, gLast, ref aLast, ref bLast);
                pLast.StoreUnsafe(ref pr, last);
                if (TOp.StateCount >= 1) aLast.StoreUnsafe(ref ar, last);
                if (TOp.StateCount >= 2) bLast.StoreUnsafe(ref br, last);
            }
            return;
        }
        if (path != KernelPath.Scalar && n >= 8)
        {
            nuint last = n - 8;
            Vector256<float> pLast = Vector256.LoadUnsafe(ref pr, last), gLast = Vector256.LoadUnsafe(ref gr, last);
            Vector256<float> aLast = TOp.StateCount >= 1 ? Vector256.LoadUnsafe(ref ar, last) : default;
            Vector256<float> bLast = TOp.StateCount >= 2 ? Vector256.LoadUnsafe(ref br, last) : default;
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> pv = Vector256.LoadUnsafe(ref pr, i);
                Vector256<float> av = TOp.StateCount >= 1 ? Vector256.LoadUnsafe(ref ar, i) : default;
                Vector256<float> bv = TOp.StateCount >= 2 ? Vector256.LoadUnsafe(ref br, i) : default;
                op.Invoke(ref pv, Vector256.LoadUnsafe(ref gr, i), ref av, ref bv);
                pv.StoreUnsafe(ref pr, i);
                if (TOp.StateCount >= 1) av.StoreUnsafe(ref ar, i);
                if (TOp.StateCount >= 2) bv.StoreUnsafe(ref br, i);
            }
            if (i < n)
            {
                op.Invoke(ref pLast, gLast, ref aLast, ref bLast);
                pLast.StoreUnsafe(ref pr, last);
                if (TOp.StateCount >= 1) aLast.StoreUnsafe(ref ar, last);
                if (TOp.StateCount >= 2) bLast.StoreUnsafe(ref br, last);
            }
            return;
        }
        float unused = 0f;
        for (; i < n; i++)
        {
            op.Invoke(ref Unsafe.Add(ref pr, i), Unsafe.Add(ref gr, i),
                ref TOp.StateCount >= 1 ? ref Unsafe.Add(ref ar, i) : ref unused,
                ref TOp.StateCount >= 2 ? ref Unsafe.Add(ref br, i) : ref unused);
        }
    }

    // The last count lanes set: the lanes of an overlapping final vector that no earlier step covered.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LastLanes512(nuint count) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(16 - (int)count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LastLanes256(nuint count) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(8 - (int)count)).AsSingle();

    private static float MaxOf(Vector256<float> v)
    {
        Vector128<float> m = Vector128.MaxNative(v.GetLower(), v.GetUpper());
        return MathF.Max(MathF.Max(m.GetElement(0), m.GetElement(1)), MathF.Max(m.GetElement(2), m.GetElement(3)));
    }
}
