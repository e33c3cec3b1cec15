using TinyKd.Gpu;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using static TinyKd.Tests.Gpu.IlgpuCpuFixture;

namespace TinyKd.Tests.Gpu;

// The ILGPU backend's memory, GEMM, elementwise and axis primitives against the CPU backend on awkward shapes.
// Tolerances: copies, fills, ArgMax and single-rounding ops (binary ops, ReLU, transposes, slice copies) are exact;
// sums in another order (GEMM, reductions) 1e-5 relative + 1e-6 absolute; transcendental activations 1e-6 relative
// + 1e-7 absolute (XMath's exp/tanh and the float erf differ from the CPU's in the last bits).
[Collection(IlgpuCpuCollection.Name)]
public class GpuComputeTests(IlgpuCpuFixture fixture)
{
    internal const double SumAtol = 1e-6, SumRtol = 1e-5, MathAtol = 1e-7, MathRtol = 1e-6;
    private readonly GpuCompute _gpu = fixture.Gpu;

    // The body run on the CPU and on the GPU backend, each result read back to the host.
    private (float[] Cpu, float[] Gpu) Both(Func<ICompute, Tensor> body) => (body(CpuCompute.Default).ToArray(), body(_gpu).ToArray());

    [Fact]
    public void Copies_fills_and_accumulating_copies_of_views_equal_the_cpu_exactly()
    {
        Tensor x = Check.Random(1, -3f, 3f, 17, 33), y0 = Check.Random(2, -3f, 3f, 17, 33);
        Assert.Equal(x.ToArray(), On(_gpu, x).ToArray());
        var (cpu, gpu) = Both(b =>
        {
            Tensor y = On(b, y0);
            b.Copy(y, On(b, x), accumulate: true);
            b.Copy(y.Slice(3, 2), On(b, x).Slice(9, 2));
            b.Fill(y.Slice(12, 3), 0.25f);
            return y;
        });
        Assert.Equal(cpu, gpu);
    }

    [Theory]
    [InlineData(false, Transpose.No, Transpose.No)]
    [InlineData(false, Transpose.Yes, Transpose.Yes)]
    [InlineData(true, Transpose.No, Transpose.No)]
    [InlineData(true, Transpose.Yes, Transpose.No)]
    [InlineData(true, Transpose.No, Transpose.Yes)]
    [InlineData(true, Transpose.Yes, Transpose.Yes)]
    public void Gemm_tiled_and_register_blocked_with_alpha_beta_bias_and_relu_match_the_cpu(bool blocked, Transpose ta, Transpose tb)
    {
        GemmVersion version = blocked ? GemmVersion.RegisterBlocked : GemmVersion.Tiled;
        foreach (var (m, n, k) in new[] { (17, 33, 21), (3, 5, 1), (65, 31, 9), (1, 7, 40) })
        {
            Tensor a = Check.Random(3, -1f, 1f, ta == Transpose.Yes ? [k, m] : [m, k]);
            Tensor bm = Check.Random(4, -1f, 1f, tb == Transpose.Yes ? [n, k] : [k, n]);
            Tensor c0 = Check.Random(5, -1f, 1f, m, n), bias = Check.Random(6, -0.5f, 0.5f, n);
            foreach (bool fused in new[] { true, false })
            {
                float[] cpu = Gemm(CpuCompute.Default), gpu = Gemm(_gpu);
                Check.Close(cpu, gpu, SumAtol, SumRtol, $"{version} GEMM {m}×{n}×{k} {ta}/{tb}, α β bias ReLU {fused}");

                float[] Gemm(ICompute b)
                {
                    Tensor c = On(b, c0), ab = On(b, a), bb = On(b, bm), biasB = fused ? On(b, bias) : default;
                    var (alpha, beta, epilogue) = fused ? (0.75f, 0.5f, Epilogue.Relu) : (1f, 0f, Epilogue.None);
                    if (b is GpuCompute g) g.Gemm(version, c, ab, ta, bb, tb, alpha, beta, biasB, epilogue);
                    else b.Gemm(c, ab, ta, bb, tb, alpha, beta, biasB, epilogue);
                    return c.ToArray();
                }
            }
        }
    }

    [Fact]
    public void Gemm_with_beta_zero_ignores_nan_in_c_and_refuses_mismatched_shapes()
    {
        Tensor a = Check.Random(7, -1f, 1f, 5, 3), bm = Check.Random(8, -1f, 1f, 3, 4);
        var nan = Tensor.FromArray(Enumerable.Repeat(float.NaN, 20).ToArray(), 5, 4);
        var (cpu, gpu) = Both(b =>
        {
            Tensor c = On(b, nan);
            b.Gemm(c, On(b, a), Transpose.No, On(b, bm), Transpose.No);
            return c;
        });
        Check.Close(cpu, gpu, SumAtol, SumRtol, "GEMM over NaN with β = 0");
        Check.Throws<ArgumentException>(() => _gpu.Gemm(On(_gpu, nan), On(_gpu, a), Transpose.Yes, On(_gpu, bm), Transpose.No), "op(a) is 3×5");
    }

    [Theory]
    [InlineData(UnaryOp.Relu)]
    [InlineData(UnaryOp.LeakyRelu)]
    [InlineData(UnaryOp.Tanh)]
    [InlineData(UnaryOp.Sigmoid)]
    [InlineData(UnaryOp.Gelu)]
    public void Unary_and_its_backward_match_the_cpu(UnaryOp op)
    {
        Tensor x = Check.Random(9, -5f, 5f, 65, 31), dy = Check.Random(10, -1f, 1f, 65, 31), dx0 = Check.Random(11, -1f, 1f, 65, 31);
        var (cpu, gpu) = Both(b =>
        {
            Tensor y = Tensor.Zeros(x.Shape, b);
            b.Unary(op, y, On(b, x), 0.1f);
            return y;
        });
        Check.Close(cpu, gpu, MathAtol, MathRtol, $"{op} forward");
        Tensor y = Tensor.FromArray(cpu, x.Shape);
        foreach (bool accumulate in new[] { true, false })
        {
            (cpu, gpu) = Both(b =>
            {
                Tensor dx = On(b, dx0);
                b.UnaryBackward(op, dx, On(b, x), On(b, y), On(b, dy), 0.1f, accumulate);
                return dx;
            });
            Check.Close(cpu, gpu, MathAtol, MathRtol, $"{op} backward, {(accumulate ? "added to dx" : "written over dx")}");
        }
    }

    [Theory]
    [InlineData(BinaryOp.Add)]
    [InlineData(BinaryOp.Subtract)]
    [InlineData(BinaryOp.Multiply)]
    [InlineData(BinaryOp.Divide)]
    public void Binary_broadcasts_same_shape_rows_columns_scalars_and_rank_three_exactly_as_the_cpu(BinaryOp op)
    {
        int[][][] cases = [[[17, 33], [17, 33]], [[17, 33], [33]], [[17, 33], [17, 1]], [[17, 33], [1]], [[1], [5, 3]], [[3, 1, 5], [1, 4, 1]]];
        foreach (int[][] shapes in cases)
        {
            Tensor a = Check.Random(12, 0.5f, 2f, shapes[0]), bt = Check.Random(13, 0.5f, 2f, shapes[1]);
            Shape result = Shape.TryBroadcast(a.Shape, bt.Shape, out Shape s, out _) ? s : throw new InvalidOperationException();
            Tensor y0 = Check.Random(14, -1f, 1f, result.ToArray());
            foreach (bool accumulate in new[] { false, true })
            {
                var (cpu, gpu) = Both(b =>
                {
                    Tensor y = On(b, y0);
                    b.Binary(op, y, On(b, a), On(b, bt), accumulate);
                    return y;
                });
                Assert.True(cpu.AsSpan().SequenceEqual(gpu), $"{op} of {a.Shape} and {bt.Shape} (accumulate {accumulate}) differs");
            }
        }
    }

    [Fact]
    public void SumTo_Reduce_and_BroadcastAxis_match_the_cpu()
    {
        Tensor x = Check.Random(15, -2f, 2f, 3, 17, 5);
        foreach (int[] target in new[] { new[] { 17, 5 }, [5], [1, 17, 1], [3, 1, 5], [1] })
        {
            var (cpu, gpu) = Both(b =>
            {
                Tensor y = Tensor.Zeros(new Shape(target), b);
                b.SumTo(y, On(b, x), 0.5f);
                b.SumTo(y, On(b, x), 1f, accumulate: true);
                return y;
            });
            Check.Close(cpu, gpu, SumAtol, SumRtol, $"SumTo [{string.Join(", ", target)}]");
        }
        foreach (ReduceOp op in Enum.GetValues<ReduceOp>())
            foreach (int axis in new[] { 0, 1, 2 })
            {
                var (cpu, gpu) = Both(b =>
                {
                    Tensor y = Tensor.Zeros(new Shape(x.Shape.ToArray().Where((_, i) => i != axis).ToArray()), b);
                    b.Reduce(op, y, On(b, x), axis, 2f);
                    return y;
                });
                Check.Close(cpu, gpu, SumAtol, SumRtol, $"{op} along axis {axis}");
            }
        var (bc, bg) = Both(b =>
        {
            Tensor y = On(b, Check.Random(17, -1f, 1f, 3, 4, 5));
            b.BroadcastAxis(y, On(b, Check.Random(18, -1f, 1f, 3, 5)), 1, 0.5f, accumulate: true);
            return y;
        });
        Check.Close(bc, bg, SumAtol, SumRtol, "BroadcastAxis");
    }

    [Fact]
    public void Relu_backward_with_column_sums_matches_the_cpu_across_warps_and_groups()
    {
        foreach (var (rows, columns) in new[] { (1, 1), (5, 3), (9, 33), (130, 65), (3, 300) })
        {
            float[] y = Check.Random(81, -1f, 1f, rows, columns).ToArray(), dy = Check.Random(82, -1f, 1f, rows, columns).ToArray();
            y[0] = 0f; // not > 0: no gradient
            if (y.Length > 1) (y[1], dy[1]) = (-0.5f, float.NaN); // masked: a NaN where y ≤ 0 gives 0, as the CPU's select
            Tensor yt = Tensor.FromArray(y, rows, columns), dyt = Tensor.FromArray(dy, rows, columns);
            Tensor sums0 = Check.Random(83, -1f, 1f, columns), garbage = Check.Random(84, -9f, 9f, rows, columns);
            foreach (bool accumulate in new[] { false, true })
                foreach (bool sums in new[] { false, true })
                {
                    var (cpu, gpu) = Both(b =>
                    {
                        Tensor dpre = On(b, garbage), s = On(b, sums0);
                        b.ReluBackwardWithColumnSums(dpre, On(b, yt), On(b, dyt), s, accumulate);
                        return sums ? s : dpre;
                    });
                    string what = $"{rows}×{columns} accumulate {accumulate}";
                    if (sums) Check.Close(cpu, gpu, SumAtol, SumRtol, $"column sums {what}");
                    else Assert.True(cpu.AsSpan().SequenceEqual(gpu), $"ReLU gradient {what} differs");
                }
        }
        Check.Throws<ArgumentException>(() => _gpu.ReluBackwardWithColumnSums(Tensor.Zeros(new Shape(2, 3), _gpu),
            Tensor.Zeros(new Shape(2, 3), _gpu), Tensor.Zeros(new Shape(2, 3), _gpu), Tensor.Zeros(new Shape(2), _gpu), false), "columnSums");
    }

    [Fact]
    public void Transposes_slice_copies_axpby_and_scaled_add_match_the_cpu()
    {
        Tensor x = Check.Random(19, -2f, 2f, 3, 17, 5), y0 = Check.Random(20, -2f, 2f, 3, 5, 17);
        var (cpu, gpu) = Both(b =>
        {
            Tensor y = On(b, y0);
            b.TransposeLastTwo(y, On(b, x), accumulate: true);
            return y;
        });
        Assert.Equal(cpu, gpu);
        (cpu, gpu) = Both(b =>
        {
            Tensor y = On(b, Check.Random(21, -1f, 1f, 3, 9, 5));
            b.CopyAlongAxis(y, 2, On(b, x), 11, 6, 1);
            b.CopyAlongAxis(y, 0, On(b, x), 0, 2, 1, accumulate: true);
            return y;
        });
        Assert.Equal(cpu, gpu);
        Tensor scale = Tensor.FromArray([1.7f], 1);
        foreach (var (alpha, beta) in new[] { (0.3f, 0f), (0.3f, 1f), (-1.5f, 0.9f) })
        {
            (cpu, gpu) = Both(b =>
            {
                Tensor y = On(b, y0.Reshape(3, 85));
                b.Axpby(y, On(b, x.Reshape(3, 85)), alpha, beta);
                b.ScaledAdd(y, On(b, x.Reshape(3, 85)), On(b, scale), 0.7f, 3f);
                return y;
            });
            Check.Close(cpu, gpu, MathAtol, MathRtol, $"Axpby α={alpha} β={beta} then ScaledAdd");
        }
        // Assigning (a gradient's first term): the old contents are not read, NaN included.
        (cpu, gpu) = Both(b =>
        {
            Tensor y = On(b, Tensor.FromArray(Enumerable.Repeat(float.NaN, 255).ToArray(), 3, 85));
            b.ScaledAdd(y, On(b, x.Reshape(3, 85)), On(b, scale), 0.7f, 3f, accumulate: false);
            return y;
        });
        Assert.Equal(cpu, gpu);
        Assert.DoesNotContain(cpu, float.IsNaN);
    }

    [Fact]
    public void ArgMax_returns_the_cpus_indices_including_ties_and_nan()
    {
        Tensor x = Check.Random(22, -1f, 1f, 65, 7);
        x.Span[3 * 7 + 2] = x.Span[3 * 7 + 5] = 5f;
        x.Span[8 * 7 + 4] = float.NaN;
        IntTensor cpuIndices = IntTensor.Zeros(65), gpuIndices = IntTensor.Zeros(65, _gpu);
        CpuCompute.Default.ArgMax(x, cpuIndices);
        _gpu.ArgMax(On(_gpu, x), gpuIndices);
        int[] cpu = cpuIndices.ToArray(), gpu = gpuIndices.ToArray();
        Assert.Equal(cpu, gpu);
        Assert.Equal(2, gpu[3]);
        Assert.Equal(4, gpu[8]);
    }

    [Fact]
    public void Sparse_int8_and_fake_quant_primitives_refuse_naming_the_op_and_the_cpu()
    {
        Tensor t = Tensor.Zeros(new Shape(2, 2), _gpu);
        Check.Throws<NotSupportedException>(() => _gpu.FakeQuantizeRows(t, t), nameof(ICompute.FakeQuantizeRows), "CPU backend");
    }

    [Fact]
    public void Tensors_of_another_backend_are_refused_naming_both()
    {
        Tensor t = Tensor.Zeros(new Shape(2, 2), _gpu);
        var e = Assert.ThrowsAny<Exception>(() => _gpu.Copy(t, Tensor.Zeros(2, 2)));
        Assert.Contains("cpu", e.Message);
        Assert.Contains("ilgpu-cpu", e.Message);
    }

    [Fact]
    public void Opening_a_device_gives_that_kind_or_an_error_listing_the_devices_found()
    {
        Assert.Contains(GpuCompute.AvailableDevices(), d => d.StartsWith("CPU", StringComparison.Ordinal));
        foreach (GpuDevice kind in new[] { GpuDevice.Cuda, GpuDevice.OpenCL })
        {
            try
            {
                using var device = GpuCompute.Create(kind);
                Assert.Equal(kind, device.Kind);
            }
            catch (InvalidOperationException e)
            {
                Assert.Contains($"No {kind} device", e.Message);
                Assert.Contains("CPU: ", e.Message);
            }
        }
    }
}
