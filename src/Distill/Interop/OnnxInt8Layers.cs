using TinyKd.Autograd.Nn;
using TinyKd.Tensors;

namespace TinyKd.Distill.Interop;

/// <summary>
/// TinyKd's int8 layers (<see cref="QuantizedLinear"/>, <see cref="SparseQuantizedLinear"/>, <see cref="QuantizedChain"/>)
/// as ONNX operators that ONNX Runtime runs with integer arithmetic and that compute TinyKd's numbers, not merely
/// close ones. B = batch, In = input features, Out = output features. One layer, x: [B, In] float → y: [B, Out] float:
/// <code>
/// codes = Cast&lt;u8&gt;(Clip(Round(x·(1/s_a)) + z_a, 0, 255))        TinyKd's activation quantizer
/// C     = MatMulInteger(codes, Wq [In, Out] int8, z_a)               Σ (a − z_a)·q in int32: exact
/// y     = Cast&lt;float&gt;(C)·(s_a·s_w) + b                               the int8 kernels' float epilogue, same order
/// </code>
/// (s_a, z_a) is the layer's fixed quantization when it has one (constants), otherwise the scale and zero point
/// outputs of <c>DynamicQuantizeLinear</c> over the whole batch tensor, whose formula is
/// <see cref="ActivationQuantization.FromData"/>'s: lo = min(min x, 0), hi = max(max x, 0), s_a = (hi − lo)/255 (1
/// when hi = lo), z_a = round-half-even(clamp(−lo/s_a, 0, 255)). (They part only when 0 &lt; hi − lo &lt; 255 × the
/// smallest subnormal float, ~4e-43: there (hi − lo)/255 underflows to 0, which TinyKd replaces by the smallest float.)
/// Its codes are not used, nor is <c>QuantizeLinear</c>: both divide, x/s, where TinyKd multiplies by the reciprocal,
/// x·(1/s) — the two differ in the last bit now and then, and a last bit on a .5 boundary moves a code. Nor is
/// <c>QLinearMatMul</c> (what ORT fuses QDQ around a MatMul into): it has no bias inside its requantization, where
/// TinyKd adds the float bias before it. ONNX's Round is half-to-even, as MathF.Round and cvtps2dq; clipping after
/// rounding gives the code the vector quantizers get by clipping first (the bounds are integers). A
/// <see cref="QuantizedChain"/> is its layers one after the other with Relu between them and each next layer's fixed
/// quantization: the chain's fused epilogue is defined to equal exactly that. A pruned layer's int8 weights are
/// written dense (zeros where pruned). ORT 1.32 fuses a dynamic layer's MatMulInteger → Cast → Mul → Add into its
/// MatMulIntegerToFloat.
/// </summary>
internal static class OnnxInt8Layers
{
    private const string Zero = "int8.zero", Top = "int8.255";

    /// <summary>True for the layers <see cref="Write"/> takes.</summary>
    public static bool IsInt8(Layer layer) => layer is QuantizedLinear or SparseQuantizedLinear or QuantizedChain;

    /// <summary>
    /// Adds <paramref name="layer"/> after <paramref name="x"/>; its layers are named layer{index}, layer{index + 1}, …
    /// (<paramref name="index"/> is advanced past them). The last node writes <paramref name="output"/> when given.
    /// Returns the name of the layer's float output.
    /// </summary>
    public static string Write(OnnxGraph graph, string x, Layer layer, ref int index, string? output)
    {
        switch (layer)
        {
            case QuantizedChain chain:
                for (int l = 0; l < chain.Layers.Count; l++)
                {
                    bool last = l == chain.Layers.Count - 1;
                    x = Write(graph, x, chain.Layers[l], ref index, last ? output : null);
                    if (!last) x = graph.Node("Relu", [x]);
                }
                return x;
            case QuantizedLinear dense:
                Int8LinearWeight w = dense.Weight;
                return Linear(graph, x, $"layer{index++}", Transposed(w.OutFeatures, w.InFeatures, (o, i) => w[o, i]),
                    [.. Enumerable.Range(0, w.OutFeatures).Select(w.Scale)], dense.Bias.ToArray(), dense.Activation, output);
            case SparseQuantizedLinear sparse:
                SparseInt8Matrix m = sparse.Weight;
                return Linear(graph, x, $"layer{index++}", Transposed(m.Rows, m.Columns, (o, i) => m[o, i]),
                    m.Scales.ToArray(), sparse.Bias.ToArray(), sparse.Activation, output);
            default:
                throw new ArgumentException($"{layer.GetType().Name} is not an int8 layer.", nameof(layer));
        }
    }

    // (Wq [In, Out] as MatMulInteger multiplies x [B, In] by it, In, Out).
    private static (sbyte[] Values, int In, int Out) Transposed(int outs, int ins, Func<int, int, sbyte> code)
    {
        var values = new sbyte[ins * outs];
        for (int o = 0; o < outs; o++)
            for (int i = 0; i < ins; i++)
                values[i * outs + o] = code(o, i);
        return (values, ins, outs);
    }

    private static string Linear(OnnxGraph graph, string x, string name, (sbyte[] Values, int In, int Out) weight, float[] scales,
        float[] bias, ActivationQuantization? activation, string? output)
    {
        graph.Constant(Zero, 0f);
        graph.Constant(Top, 255f);
        graph.Initializer($"{name}.weight_q", [weight.In, weight.Out], weight.Values);
        graph.Initializer($"{name}.weight_scale", [weight.Out], scales);
        var (scale, inverse, zero, zeroU8) = activation is { } fixedRange ? Fixed(graph, name, fixedRange) : Dynamic(graph, x);
        string codes = graph.Node("Cast", [graph.Node("Clip", [graph.Node("Add", [graph.Node("Round", [graph.Node("Mul", [x, inverse])]), zero]), Zero, Top])],
            null, new OnnxAttribute("to", OnnxGraph.UInt8Type));
        string products = graph.Node("MatMulInteger", [codes, $"{name}.weight_q", zeroU8]);
        string multiplier = graph.Node("Mul", [scale, $"{name}.weight_scale"]);
        string y = graph.Node("Mul", [graph.Node("Cast", [products], null, new OnnxAttribute("to", OnnxGraph.FloatType)), multiplier],
            bias.Length == 0 ? output : null);
        if (bias.Length == 0) return y;
        graph.Initializer($"{name}.bias", [weight.Out], bias);
        return graph.Node("Add", [y, $"{name}.bias"], output);
    }

    // A fixed (calibrated) quantization: scale, 1/scale and the zero point as constants, computed as TinyKd computes them.
    private static (string Scale, string Inverse, string Zero, string ZeroU8) Fixed(OnnxGraph graph, string name, ActivationQuantization p)
    {
        graph.Constant($"{name}.input_scale", p.Scale);
        graph.Constant($"{name}.input_scale_inverse", 1f / p.Scale);
        graph.Constant($"{name}.input_zero_point", p.ZeroPoint);
        graph.Initializer($"{name}.input_zero_point_u8", p.ZeroPoint);
        return ($"{name}.input_scale", $"{name}.input_scale_inverse", $"{name}.input_zero_point", $"{name}.input_zero_point_u8");
    }

    // ActivationQuantization.FromData over the whole [B, In] tensor: DynamicQuantizeLinear's scale and zero point are
    // computed by the same formula; its codes (x/s) are not used.
    private static (string Scale, string Inverse, string Zero, string ZeroU8) Dynamic(OnnxGraph graph, string x)
    {
        string[] q = graph.Node("DynamicQuantizeLinear", [x], 3);
        string zero = graph.Node("Cast", [q[2]], null, new OnnxAttribute("to", OnnxGraph.FloatType));
        return (q[1], graph.Node("Reciprocal", [q[1]]), zero, q[2]);
    }
}
