using System.Runtime.CompilerServices;

namespace TinyKd.Tensors.Cpu;

/// <summary>
/// The portable micro-kernel: a 4×4 tile of C in 16 scalar accumulators, plain multiply-then-add (no fused
/// multiply-add, which is emulated in software where the hardware lacks it). Its tiles always go through
/// <see cref="GemmTile.Merge"/>.
/// </summary>
internal readonly unsafe struct GemmScalar : IGemmKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int TileStepM => 4;
    public static int TileStepN => 4;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, int cols, TileUpdate* update)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (; kc > 0; kc--)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float ai = a[0];
            c00 += ai * b0; c01 += ai * b1; c02 += ai * b2; c03 += ai * b3;
            ai = a[1];
            c10 += ai * b0; c11 += ai * b1; c12 += ai * b2; c13 += ai * b3;
            ai = a[2];
            c20 += ai * b0; c21 += ai * b1; c22 += ai * b2; c23 += ai * b3;
            ai = a[3];
            c30 += ai * b0; c31 += ai * b1; c32 += ai * b2; c33 += ai * b3;
            a += 4;
            b += ldb;
        }
        float* tile = stackalloc float[16];
        tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
        tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
        tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
        tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
        GemmTile.Merge(tile, 4, c, ldc, rows, cols, update);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* src, nint ld, bool alongK, int rows, int kc, float* dst)
    {
        for (int i = 0; i < rows; i += 4, dst += 4 * kc)
        {
            if (alongK) GemmPack.TransposeScalar(src + i * ld, ld, Math.Min(4, rows - i), kc, 4, dst, 1f);
            else GemmPack.CopyScalar(src + i, ld, Math.Min(4, rows - i), kc, 4, dst, 1f);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* src, nint ld, bool alongK, int cols, int kc, float* dst, float alpha)
    {
        for (int j = 0; j < cols; j += 4, dst += 4 * kc)
        {
            if (alongK) GemmPack.TransposeScalar(src + j * ld, ld, Math.Min(4, cols - j), kc, 4, dst, alpha);
            else GemmPack.CopyScalar(src + j, ld, Math.Min(4, cols - j), kc, 4, dst, alpha);
        }
    }
}
