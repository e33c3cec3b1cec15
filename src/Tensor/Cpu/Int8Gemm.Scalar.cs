using System.Runtime.CompilerServices;

namespace TinyKd.Tensors.Cpu;

internal static unsafe partial class Int8Gemm
{
    // The scalar path: the packed tiles read with plain loops, one 16-column tile of one row at a time.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ScalarTiles(in Int8Problem p, int t0, int t1)
    {
        int* acc = stackalloc int[Int8Tile.Columns];
        for (int i = 0; i < p.M; i++)
        {
            byte* a = p.A + (long)i * p.AStride;
            for (int t = t0; t < t1; t++)
            {
                new Span<int>(acc, Int8Tile.Columns).Clear();
                sbyte* b = (sbyte*)(p.Tiles + (long)t * p.Groups);
                for (int g = 0; g < p.Groups; g++, b += Int8Tile.Size)
                    for (int col = 0; col < Int8Tile.Columns; col++)
                        for (int d = 0; d < Int8Tile.Depth; d++)
                            acc[col] += a[g * Int8Tile.Depth + d] * b[col * Int8Tile.Depth + d];
                int* sums = p.RowSums + t * Int8Tile.Columns, c = p.C + (long)i * p.CStride + t * Int8Tile.Columns;
                for (int col = 0; col < Int8Tile.Columns; col++) c[col] = acc[col] - p.ZeroPoint * sums[col];
            }
        }
    }
}
