using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Support;
using TinyKd.Tests.Tensors;
using Xunit.Abstractions;

namespace TinyKd.Tests.Quantization;

// The fake-quantization ops of quantization-aware training: their forward is exactly what the int8 layers compute with
// (the served activation quantizer and Int8LinearWeight's grid, on every kernel path), their backward the
// straight-through estimator, gradient-checked against the function it stands for.
[Collection(CpuKernelSettingsCollection.Name)]
public sealed class FakeQuantizeTests(ITestOutputHelper output)
{
    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void Activations_round_trip_through_the_served_u8_codes_bit_for_bit(KernelPath path) => ForcedKernelPath.Run(path, output, () =>
    {
        foreach (int n in (int[])[1, 7, 16, 33, 1000])
            foreach (ActivationQuantization? fixedRange in new ActivationQuantization?[] { null, ActivationQuantization.FromRange(-0.5f, 1.25f) })
            {
                Tensor x = Check.Random((ulong)n, -2, 3, n);
                ActivationQuantization expectedRange = fixedRange ?? ActivationQuantization.FromData(x.Span);
                var y = Tensor.Zeros(n);

                ActivationQuantization used = CpuCompute.Default.FakeQuantize(y, x, fixedRange);

                Assert.Equal(expectedRange, used);
                for (int i = 0; i < n; i++)
                {
                    // The plain reference: the u8 code clamp(round(x / s) + z, 0, 255), then (q − z)·s.
                    float code = Math.Clamp(MathF.Round(x.Span[i] * (1f / used.Scale)) + used.ZeroPoint, 0f, 255f);
                    float expected = ((int)code - used.ZeroPoint) * used.Scale;
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y.Span[i]),
                        $"{path}, n {n}, {used}: x[{i}] = {x.Span[i]} gives {y.Span[i]}, the served code gives {expected}");
                }
            }
    });

    [Fact]
    public void Weight_rows_land_exactly_on_the_int8_layers_grid()
    {
        foreach (var (rows, columns) in new[] { (1, 1), (3, 17), (16, 33), (10, 784) })
        {
            Tensor w = Check.Random((ulong)(rows * columns), -0.7f, 0.4f, rows, columns);
            w.Span[^1] = 0f;
            var y = Tensor.Zeros(rows, columns);
            CpuCompute.Default.FakeQuantizeRows(y, w);

            var expected = new float[rows * columns];
            Int8LinearWeight.Quantize(w.Span, rows, columns).Dequantize(expected);
            Assert.Equal(expected, y.ToArray());
        }
        var zeroRow = Tensor.Zeros(2, 5);
        var fq = Tensor.Zeros(2, 5);
        CpuCompute.Default.FakeQuantizeRows(fq, zeroRow);
        Assert.All(fq.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void The_activation_estimator_passes_gradients_where_codes_are_not_clamped_and_nothing_where_they_are()
    {
        ActivationQuantization q = ActivationQuantization.FromRange(-1f, 2f);
        // Points a third of a step from the grid (away from rounding points) inside the range, and points well outside it.
        float[] values = [-3f, -0.9f + q.Scale / 3, 0.1f + q.Scale / 3, 1.5f + q.Scale / 3, 5f, -1.9f];
        Tensor x = Tensor.FromArray(values, 2, 3);
        Tensor inside = Tensor.FromArray(values.Select(v => v >= -1f && v <= 2f ? 1f : 0f).ToArray(), 2, 3);

        GradCheckResult result = GradCheck.Check(
            v => Ops.FakeQuantize(v[0], q),
            v => Ops.Multiply(v[0], v[0].Graph!.Input(inside)),
            [x]);

        Assert.True(result.Passed, result.ToString());
        var graph = new Graph();
        Variable input = graph.Input(x, requiresGrad: true);
        graph.Backward(Ops.Sum(Ops.FakeQuantize(input, q)));
        Assert.Equal([0f, 1f, 1f, 1f, 0f, 0f], input.Grad.ToArray());
    }

    [Fact]
    public void The_fake_quantized_linear_has_the_straight_through_gradients_of_x_w_and_b()
    {
        Tensor x = Check.Random(3, -1, 2, 4, 9), w = Check.Random(4, -0.5f, 0.5f, 5, 9), b = Check.Random(5, -0.2f, 0.2f, 5);
        // A static range that clamps some inputs (x > 1.5), so the check covers the estimator's zeros too.
        ActivationQuantization q = ActivationQuantization.FromRange(-1f, 1.5f);
        // The surrogate is the first-order model the estimator claims: rounding is the identity, clamping is not, i.e.
        // y ≈ m∘x·fq(W)ᵀ + fq(x)·Wᵀ − fq(x)·fq(W)ᵀ + b around the point, with fq(x), fq(W) and the mask m held fixed.
        Tensor fx = Tensor.Zeros(4, 9), fw = Tensor.Zeros(5, 9);
        CpuCompute.Default.FakeQuantize(fx, x, q);
        CpuCompute.Default.FakeQuantizeRows(fw, w);
        Tensor mask = Tensor.FromArray(x.ToArray().Select(v => MathF.Round(v * (1f / q.Scale)) + q.ZeroPoint is >= 0 and <= 255 ? 1f : 0f).ToArray(), 4, 9);
        Assert.Contains(0f, mask.ToArray());

        GradCheckResult result = GradCheck.Check(
            v => Ops.FakeQuantizedLinear(v[0], v[1], v[2], q),
            v =>
            {
                Graph g = v[0].Graph!;
                Variable fqX = g.Input(fx), fqW = g.Input(fw);
                Variable straight = Ops.Add(Ops.Linear(Ops.Multiply(v[0], g.Input(mask)), fqW), Ops.Linear(fqX, v[1]));
                return Ops.Add(Ops.Subtract(straight, Ops.Linear(fqX, fqW)), v[2]);
            },
            [x, w, b], epsilon: 1e-3, absoluteTolerance: 2e-3);

        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Non_finite_inputs_and_weights_are_refused_naming_them()
    {
        Tensor x = Tensor.FromArray([1f, float.NaN, 2f], 1, 3), y = Tensor.Zeros(1, 3);
        Check.Throws<ArgumentException>(() => CpuCompute.Default.FakeQuantize(y, x), "[1, 3]", "NaN");
        Check.Throws<ArgumentException>(() => CpuCompute.Default.FakeQuantize(y, x, ActivationQuantization.FromRange(0f, 1f)), "NaN");
        Tensor w = Tensor.FromArray([1f, 2f, 3f, float.PositiveInfinity], 2, 2);
        Check.Throws<ArgumentException>(() => CpuCompute.Default.FakeQuantizeRows(Tensor.Zeros(2, 2), w), "row 1", "Infinity");
        Check.Throws<ArgumentException>(() => CpuCompute.Default.FakeQuantizeRows(Tensor.Zeros(4), Tensor.Zeros(4)), "[Out, In]");
    }
}
