using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.GpuComputeTests;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The warp-shuffle reductions against the CPU backend on shapes around the warp (4 lanes on ILGPU's CPU accelerator)
// and the group (16 threads, 4 rows of the row kernels): one column, fewer columns than lanes, one more than a
// multiple of them, rows that leave a group partly empty, and vectors shorter and longer than the group.
[Collection(IlgpuCpuCollection.Name)]
public class GpuWarpReductionTests(IlgpuCpuFixture fixture)
{
    private readonly GpuCompute _gpu = fixture.Gpu;

    public static TheoryData<int, int> RowShapes => new() { { 1, 1 }, { 5, 3 }, { 4, 4 }, { 6, 9 }, { 3, 67 } };

    private (float[] Cpu, float[] Gpu) Both(Func<ICompute, Tensor> body) => (body(CpuCompute.Default).ToArray(), body(_gpu).ToArray());

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void Softmax_log_softmax_and_their_backward_match_the_cpu_around_the_warp_width(int rows, int columns)
    {
        Tensor x = Check.Random(51, -6f, 6f, rows, columns), dy = Check.Random(52, -1f, 1f, rows, columns);
        Tensor dx0 = Check.Random(53, -1f, 1f, rows, columns);
        foreach (bool log in new[] { false, true })
        {
            var (cpu, gpu) = Both(b =>
            {
                Tensor y = Tensor.Zeros(x.Shape, b);
                b.Softmax(y, On(b, x), 1.7f, log);
                return y;
            });
            Check.Close(cpu, gpu, SumAtol, SumRtol, $"softmax {rows}×{columns} log={log}");
            Tensor y = Tensor.FromArray(cpu, x.Shape);
            (cpu, gpu) = Both(b =>
            {
                Tensor dx = On(b, dx0);
                b.SoftmaxBackward(dx, On(b, y), On(b, dy), 1.7f, log);
                return dx;
            });
            Check.Close(cpu, gpu, SumAtol, SumRtol, $"softmax backward {rows}×{columns} log={log}");
        }
    }

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void Kl_rows_match_the_cpu_around_the_warp_width(int rows, int columns)
    {
        Tensor student = Check.Random(54, -4f, 4f, rows, columns), teacher = Check.Random(55, -3f, 5f, rows, columns);
        foreach (int output in new[] { 0, 1, 2 })
        {
            var (cpu, gpu) = Both(b =>
            {
                Tensor loss = Tensor.Zeros(new Shape(1), b), ds = Tensor.Zeros(student.Shape, b), dt = Tensor.Zeros(teacher.Shape, b);
                b.KlDivergenceWithGradient(loss, ds, dt, On(b, student), On(b, teacher), 2f);
                return output switch { 0 => loss, 1 => ds, _ => dt };
            });
            Check.Close(cpu, gpu, SumAtol, SumRtol, $"KL {rows}×{columns} output {output}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Sums_of_squares_match_the_cpu_for_vectors_shorter_and_longer_than_the_group(int length)
    {
        Tensor x = Check.Random(56, -1f, 1f, length);
        var (cpu, gpu) = Both(b =>
        {
            Tensor norm = Tensor.Zeros(new Shape(1), b);
            b.SumOfSquares(norm, On(b, x), 0.5f);
            return norm;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, $"sum of squares of {length}");
    }

    // [outer, n, inner] reduced along n: axes shorter than, equal to and longer than the warp (a warp per output
    // beyond it), inner 1 (contiguous) and 3 (strided), outputs that leave a group's last warps idle.
    public static TheoryData<int, int, int> AxisShapes => new() { { 3, 1, 1 }, { 2, 4, 3 }, { 5, 5, 1 }, { 3, 9, 3 }, { 2, 67, 1 }, { 7, 33, 2 } };

    [Theory]
    [MemberData(nameof(AxisShapes))]
    public void Axis_reductions_match_the_cpu_around_the_warp_width(int outer, int n, int inner)
    {
        Tensor x = Check.Random(56, -3f, 3f, outer, n, inner), y0 = Check.Random(57, -1f, 1f, outer, inner);
        foreach (ReduceOp op in Enum.GetValues<ReduceOp>())
            foreach (bool accumulate in op == ReduceOp.Max && inner > 1 ? [false] : new[] { false, true }) // a max accumulates only a last axis
            {
                var (cpu, gpu) = Both(b =>
                {
                    Tensor y = On(b, y0);
                    b.Reduce(op, y, On(b, x), 1, 1.5f, accumulate);
                    return y;
                });
                Check.Close(cpu, gpu, SumAtol, SumRtol, $"{op} over [{outer}, {n}, {inner}] axis 1, accumulate {accumulate}");
            }
    }

    [Fact]
    public void A_long_axis_max_with_a_nan_is_nan_as_on_the_cpu()
    {
        float[] values = Check.Random(58, -3f, 3f, 2, 41).ToArray();
        values[41 + 30] = float.NaN;
        Tensor x = Tensor.FromArray(values, 2, 41);
        var (cpu, gpu) = Both(b =>
        {
            Tensor y = Tensor.Zeros(new Shape(2), b);
            b.Reduce(ReduceOp.Max, y, On(b, x), 1);
            return y;
        });
        Assert.Equal(cpu[0], gpu[0]);
        Assert.True(float.IsNaN(cpu[1]) && float.IsNaN(gpu[1]), $"row 1 holds a NaN: CPU {cpu[1]}, GPU {gpu[1]}");
    }
}
