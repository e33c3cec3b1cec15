using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Packing routines: they copy a block of op(A) or op(B) into the k-major micro-panel layout the micro-kernels read,
/// dst[p·W + j] = scale·line_j[p] for the panel's W lines (A rows or B columns) and its kc steps p, zero for lines
/// j ≥ valid, so a partial panel still feeds the kernel a full tile.
/// </summary>
/// <remarks>
/// Two source layouts occur. "Copy": the W values of one step p are contiguous (A stored K×M and read transposed,
/// or B stored K×N), so a step is a vector copy; the AVX-512 routines walk each source row once, left to right,
/// scattering it to the panels, which keeps the reads sequential. "Transpose": each line is contiguous along K (A
/// stored M×K, or B stored N×K and read transposed), so 16 (or 8) lines × 16 (or 8) steps are loaded as vectors and
/// transposed in registers (unpacklo/hi ps, unpacklo/hi pd, then 128-bit lane shuffles: 64 shuffles per 16×16
/// block, a quarter of a shuffle per element). Where W is smaller than the vector (W = 12 in 16 lanes, 6 in 8), each
/// step is stored as a whole vector, in increasing p, so the extra lanes spill into the next step's slots and are
/// overwritten by it; the last step of the last panel spills up to 16 floats past the panel, which the buffers
/// leave room for. Measured with the source in L2: about 0.3 cycles per element for the AVX-512 routines.
/// </remarks>
internal static unsafe class GemmPack
{
    /// <summary>Floats the packing routines may write past the end of the last panel.</summary>
    public const int Slack = 16;

    // ---- scalar: any width, any path --------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyScalar(float* src, nint ld, int valid, int kc, int w, float* dst, float scale)
    {
        for (int p = 0; p < kc; p++, src += ld, dst += w)
        {
            int j = 0;
            for (; j < valid; j++) dst[j] = scale * src[j];
            for (; j < w; j++) dst[j] = 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposeScalar(float* src, nint ld, int valid, int kc, int w, float* dst, float scale)
    {
        for (int j = 0; j < w; j++)
        {
            float* line = src + j * ld;
            if (j < valid)
                for (int p = 0; p < kc; p++) dst[p * w + j] = scale * line[p];
            else
                for (int p = 0; p < kc; p++) dst[p * w + j] = 0f;
        }
    }

    // ---- AVX-512 -------------------------------------------------------------------------------------------

    /// <summary>rows × kc of op(A) into 12-wide panels (the AVX-512 kernel's A side).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA12(float* src, nint ld, bool alongK, int rows, int kc, float* dst)
    {
        if (alongK)
        {
            for (int i = 0; i < rows; i += 12)
                TransposePanel(src + i * ld, ld, Math.Min(12, rows - i), kc, 12, dst + i * kc, 1f);
            return;
        }
        // Step-major source (A stored K×M): walk each source row once, scattering 12-float pieces to the panels.
        Vector512<float> full = TailMask(12);
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* d = dst + p * 12;
            for (int i = 0; i < rows; i += 12, d += 12 * kc)
            {
                Vector512<float> v = Avx512F.MaskLoad(src + i, rows - i >= 12 ? full : TailMask(rows - i), Vector512<float>.Zero);
                v.GetLower().Store(d);
                v.GetUpper().GetLower().Store(d + 8);
            }
        }
    }

    /// <summary>kc × cols of α·op(B) into 32-wide panels (the AVX-512 kernel's B side).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB32(float* src, nint ld, bool alongK, int cols, int kc, float* dst, float scale)
    {
        if (alongK)
        {
            for (int j = 0; j < cols; j += 32)
                TransposePanel(src + j * ld, ld, Math.Min(32, cols - j), kc, 32, dst + j * kc, scale);
            return;
        }
        // Step-major source (B stored K×N): each source row is read once, contiguously, 32 floats per panel.
        Vector512<float> s = Vector512.Create(scale);
        bool scaled = scale != 1f;
        int whole = cols / 32 * 32;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* d = dst + p * 32;
            int j = 0;
            for (; j < whole; j += 32, d += 32 * kc)
            {
                Vector512<float> v0 = Vector512.Load(src + j), v1 = Vector512.Load(src + j + 16);
                if (scaled)
                {
                    v0 *= s;
                    v1 *= s;
                }
                v0.Store(d);
                v1.Store(d + 16);
            }
            if (j < cols)
            {
                (Avx512F.MaskLoad(src + j, TailMask(cols - j), Vector512<float>.Zero) * s).Store(d);
                (Avx512F.MaskLoad(src + j + 16, TailMask(cols - j - 16), Vector512<float>.Zero) * s).Store(d + 16);
            }
        }
    }

    /// <summary>A 16-lane mask of the first <paramref name="count"/> lanes (none when count ≤ 0, all when ≥ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> TailMask(nint count) =>
        Vector512.LessThan(Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((float)count));

    /// <summary>
    /// One panel from lines contiguous along K: dst[p·w + r] = scale·src[r·ld + p] for r &lt; valid, zero for
    /// valid ≤ r &lt; w (w = 12 or 32, valid ≤ w). 16-step blocks are transposed 16 lines at a time; with w = 32 both
    /// halves of a block are written before the next, so the panel is filled front to back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposePanel(float* src, nint ld, int valid, int kc, int w, float* dst, float scale)
    {
        Vector512<float> s = Vector512.Create(scale);
        bool scaled = scale != 1f;
        int p = 0;
        for (; p + 16 <= kc; p += 16)
        {
            Transpose16(src + p, ld, Math.Min(valid, 16), dst + p * w, w, s, scaled);
            if (w > 16) Transpose16(src + 16 * ld + p, ld, valid - 16, dst + p * w + 16, w, s, scaled);
        }
        for (; p < kc; p++)
            for (int r = 0; r < w; r++)
                dst[p * w + r] = r < valid ? scale * src[r * ld + p] : 0f;
    }

    // 16 lines × 16 steps: d[q·w + r] = s·src[r·ld + q] for q, r < 16, lines r ≥ valid read as zero. A call per
    // 256 elements: too large for the JIT to inline (it compiled it apart, at tier 0 first, despite AggressiveInlining).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Transpose16(float* src, nint ld, int valid, float* d, int w, Vector512<float> s, bool scaled)
    {
        Vector512<float> r0 = Line(src, ld, 0, valid), r1 = Line(src, ld, 1, valid);
        Vector512<float> r2 = Line(src, ld, 2, valid), r3 = Line(src, ld, 3, valid);
        Vector512<float> r4 = Line(src, ld, 4, valid), r5 = Line(src, ld, 5, valid);
        Vector512<float> r6 = Line(src, ld, 6, valid), r7 = Line(src, ld, 7, valid);
        Vector512<float> r8 = Line(src, ld, 8, valid), r9 = Line(src, ld, 9, valid);
        Vector512<float> r10 = Line(src, ld, 10, valid), r11 = Line(src, ld, 11, valid);
        Vector512<float> r12 = Line(src, ld, 12, valid), r13 = Line(src, ld, 13, valid);
        Vector512<float> r14 = Line(src, ld, 14, valid), r15 = Line(src, ld, 15, valid);
        // Groups of four lines: within each 128-bit lane, a 4×4 transpose (u_c holds step 4·lane + c).
        Transpose4x4(r0, r1, r2, r3, out var u00, out var u01, out var u02, out var u03);
        Transpose4x4(r4, r5, r6, r7, out var u10, out var u11, out var u12, out var u13);
        Transpose4x4(r8, r9, r10, r11, out var u20, out var u21, out var u22, out var u23);
        Transpose4x4(r12, r13, r14, r15, out var u30, out var u31, out var u32, out var u33);
        // Then the 4×4 arrangement of 128-bit blocks: step 4·L + c gathers lane L of u0c, u1c, u2c, u3c.
        Steps(u00, u10, u20, u30, out var o0, out var o4, out var o8, out var o12);
        Steps(u01, u11, u21, u31, out var o1, out var o5, out var o9, out var o13);
        Steps(u02, u12, u22, u32, out var o2, out var o6, out var o10, out var o14);
        Steps(u03, u13, u23, u33, out var o3, out var o7, out var o11, out var o15);
        if (scaled)
        {
            o0 *= s; o1 *= s; o2 *= s; o3 *= s; o4 *= s; o5 *= s; o6 *= s; o7 *= s;
            o8 *= s; o9 *= s; o10 *= s; o11 *= s; o12 *= s; o13 *= s; o14 *= s; o15 *= s;
        }
        // In increasing step order, so that with w = 12 each store overwrites the previous one's spill.
        o0.Store(d); o1.Store(d + w); o2.Store(d + 2 * w); o3.Store(d + 3 * w);
        o4.Store(d + 4 * w); o5.Store(d + 5 * w); o6.Store(d + 6 * w); o7.Store(d + 7 * w);
        o8.Store(d + 8 * w); o9.Store(d + 9 * w); o10.Store(d + 10 * w); o11.Store(d + 11 * w);
        o12.Store(d + 12 * w); o13.Store(d + 13 * w); o14.Store(d + 14 * w); o15.Store(d + 15 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Line(float* src, nint ld, int r, int valid) =>
        r < valid ? Vector512.Load(src + r * ld) : Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
        out Vector512<float> u0, out Vector512<float> u1, out Vector512<float> u2, out Vector512<float> u3)
    {
        Vector512<double> t0 = Avx512F.UnpackLow(r0, r1).AsDouble(), t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
        Vector512<double> t2 = Avx512F.UnpackLow(r2, r3).AsDouble(), t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        u0 = Avx512F.UnpackLow(t0, t2).AsSingle();
        u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        u2 = Avx512F.UnpackLow(t1, t3).AsSingle();
        u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
    }

    // Steps c, 4 + c, 8 + c, 12 + c from the four line groups' u vectors of column c.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Steps(Vector512<float> g0, Vector512<float> g1, Vector512<float> g2, Vector512<float> g3,
        out Vector512<float> s0, out Vector512<float> s4, out Vector512<float> s8, out Vector512<float> s12)
    {
        Vector512<float> v0 = Avx512F.Shuffle4x128(g0, g1, 0b01_00_01_00);
        Vector512<float> v1 = Avx512F.Shuffle4x128(g0, g1, 0b11_10_11_10);
        Vector512<float> v2 = Avx512F.Shuffle4x128(g2, g3, 0b01_00_01_00);
        Vector512<float> v3 = Avx512F.Shuffle4x128(g2, g3, 0b11_10_11_10);
        s0 = Avx512F.Shuffle4x128(v0, v2, 0b10_00_10_00);
        s4 = Avx512F.Shuffle4x128(v0, v2, 0b11_01_11_01);
        s8 = Avx512F.Shuffle4x128(v1, v3, 0b10_00_10_00);
        s12 = Avx512F.Shuffle4x128(v1, v3, 0b11_01_11_01);
    }

    // ---- AVX2 ----------------------------------------------------------------------------------------------

    /// <summary>
    /// kc × cols of α·op(B) from the copy layout (B stored K×N) into 16-wide panels. Like the AVX-512 routines it
    /// walks each source row once, left to right, scattering 16-float pieces to the panels: walking one panel's
    /// 64-byte strip down all kc rows instead touched a new page on every row, and packing B took about 10% of a
    /// 128×1200×1200 product on one thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyRows16(float* src, nint ld, int cols, int kc, float* dst, float scale)
    {
        Vector256<float> s = Vector256.Create(scale);
        int whole = cols / 16 * 16;
        nint panel = 16 * (nint)kc;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* d = dst + p * 16;
            int j = 0;
            for (; j < whole; j += 16, d += panel)
            {
                Vector256.Store(Vector256.Load(src + j) * s, d);
                Vector256.Store(Vector256.Load(src + j + 8) * s, d + 8);
            }
            if (j < cols) CopyPiece(src + j, cols - j, 16, d, scale);
        }
    }

    /// <summary>rows × kc of op(A) from the copy layout (A stored K×M) into 6-wide panels, each source row walked
    /// once (see <see cref="CopyRows16"/>): four lanes and two per panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyRows6(float* src, nint ld, int rows, int kc, float* dst)
    {
        int whole = rows / 6 * 6;
        nint panel = 6 * (nint)kc;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* d = dst + p * 6;
            int i = 0;
            for (; i < whole; i += 6, d += panel)
            {
                Vector128.Store(Vector128.Load(src + i), d);
                Unsafe.WriteUnaligned(d + 4, Unsafe.ReadUnaligned<ulong>(src + i + 4));
            }
            if (i < rows) CopyPiece(src + i, rows - i, 6, d, 1f);
        }
    }

    // One step of a partial panel: the valid values scaled, zeros up to the panel's width.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyPiece(float* src, int valid, int w, float* d, float scale)
    {
        int c = 0;
        for (; c < valid; c++) d[c] = scale * src[c];
        for (; c < w; c++) d[c] = 0f;
    }

    /// <summary>
    /// Up to 8 lines along K (valid ≤ 8) into a panel of width w ≥ 6: dst[p·w + r] = scale·src[r·ld + p] for r &lt; 8
    /// (zero for r ≥ valid). With w = 16 a call fills one half of the panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose8(float* src, nint ld, int valid, int kc, int w, float* dst, float scale)
    {
        Vector256<float> s = Vector256.Create(scale);
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Vector256<float> r0 = Line8(src, ld, 0, valid, p), r1 = Line8(src, ld, 1, valid, p);
            Vector256<float> r2 = Line8(src, ld, 2, valid, p), r3 = Line8(src, ld, 3, valid, p);
            Vector256<float> r4 = Line8(src, ld, 4, valid, p), r5 = Line8(src, ld, 5, valid, p);
            Vector256<float> r6 = Line8(src, ld, 6, valid, p), r7 = Line8(src, ld, 7, valid, p);
            Vector256<double> t0 = Avx.UnpackLow(r0, r1).AsDouble(), t1 = Avx.UnpackHigh(r0, r1).AsDouble();
            Vector256<double> t2 = Avx.UnpackLow(r2, r3).AsDouble(), t3 = Avx.UnpackHigh(r2, r3).AsDouble();
            Vector256<double> t4 = Avx.UnpackLow(r4, r5).AsDouble(), t5 = Avx.UnpackHigh(r4, r5).AsDouble();
            Vector256<double> t6 = Avx.UnpackLow(r6, r7).AsDouble(), t7 = Avx.UnpackHigh(r6, r7).AsDouble();
            // Per 128-bit lane L, uXc holds step 4·L + c of lines 0–3 (uA) or 4–7 (uB).
            Vector256<float> uA0 = Avx.UnpackLow(t0, t2).AsSingle(), uA1 = Avx.UnpackHigh(t0, t2).AsSingle();
            Vector256<float> uA2 = Avx.UnpackLow(t1, t3).AsSingle(), uA3 = Avx.UnpackHigh(t1, t3).AsSingle();
            Vector256<float> uB0 = Avx.UnpackLow(t4, t6).AsSingle(), uB1 = Avx.UnpackHigh(t4, t6).AsSingle();
            Vector256<float> uB2 = Avx.UnpackLow(t5, t7).AsSingle(), uB3 = Avx.UnpackHigh(t5, t7).AsSingle();
            float* d = dst + p * w;
            Vector256.Store(Avx.Permute2x128(uA0, uB0, 0x20) * s, d);
            Vector256.Store(Avx.Permute2x128(uA1, uB1, 0x20) * s, d + w);
            Vector256.Store(Avx.Permute2x128(uA2, uB2, 0x20) * s, d + 2 * w);
            Vector256.Store(Avx.Permute2x128(uA3, uB3, 0x20) * s, d + 3 * w);
            Vector256.Store(Avx.Permute2x128(uA0, uB0, 0x31) * s, d + 4 * w);
            Vector256.Store(Avx.Permute2x128(uA1, uB1, 0x31) * s, d + 5 * w);
            Vector256.Store(Avx.Permute2x128(uA2, uB2, 0x31) * s, d + 6 * w);
            Vector256.Store(Avx.Permute2x128(uA3, uB3, 0x31) * s, d + 7 * w);
        }
        int lines = Math.Min(w, 8);
        for (; p < kc; p++)
            for (int r = 0; r < lines; r++)
                dst[p * w + r] = r < valid ? scale * src[r * ld + p] : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Line8(float* src, nint ld, int r, int valid, int p) =>
        r < valid ? Vector256.Load(src + r * ld + p) : Vector256<float>.Zero;
}
