using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;

namespace TinyKd.Distill.Interop;

/// <summary>
/// Writes an <see cref="Mlp"/> as an ONNX model (IR version 8, opset 13, the default domain), for ONNX Runtime and
/// every other ONNX engine: input "input" [batch, In] float (a symbolic batch), one <c>Gemm</c> per fp32 layer
/// (transB = 1: the weight stays [Out, In] as TinyKd and PyTorch store it, the bias as C; a pruned layer dense, zeros
/// where pruned), int8 layers as integer operators that give TinyKd's int8 outputs (<c>MatMulInteger</c> and TinyKd's
/// own activation quantizer, see <see cref="OnnxInt8Layers"/>), the activation between
/// layers (<c>Relu</c>; <c>LeakyRelu</c> with the model's own slope; <c>Tanh</c>; <c>Sigmoid</c>; the exact GELU as
/// 0.5·x·(1 + Erf(x/√2)), since opset 13 has no Gelu), output "logits" [batch, Out], and with
/// <c>softmax</c> a second output "probabilities" (<c>Softmax</c>, axis −1). A stored input standardisation becomes
/// <c>Sub</c> and <c>Div</c> in front, so the ONNX model takes raw inputs as TinyKd's <c>eval</c> does. Dropout is an
/// identity at inference and is not written. Weights are initializers with raw little-endian data; the same model
/// gives the same bytes.
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX IR version written.</summary>
    public const int IrVersion = 8;

    /// <summary>The opset of the default domain the graph uses.</summary>
    public const int Opset = 13;

    /// <summary>The model as ONNX protobuf bytes.</summary>
    /// <exception cref="ArgumentException">A layer is neither an fp32 (<see cref="Linear"/>, <see cref="SparseLinear"/>) nor an int8 (<see cref="QuantizedLinear"/>, <see cref="SparseQuantizedLinear"/>, <see cref="QuantizedChain"/>) affine layer, or the standardizer's statistics do not fit the input width.</exception>
    public static byte[] Serialize(Mlp model, Standardizer? standardizer = null, bool softmax = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.AffineLayers.FirstOrDefault(l => l is not (Linear or SparseLinear) && !OnnxInt8Layers.IsInt8(l)) is { } other)
            throw new ArgumentException($"ONNX export writes fp32 and int8 affine layers; MLP {model.Spec} holds a {other.GetType().Name}.", nameof(model));
        if (standardizer is not null && standardizer.IsPerFeature && standardizer.Mean.Length != model.Spec.InputSize)
            throw new ArgumentException($"The standardizer has {standardizer.Mean.Length} features; MLP {model.Spec} takes {model.Spec.InputSize}.", nameof(standardizer));

        var graph = new OnnxGraph();
        string x = "input";
        if (standardizer is not null)
        {
            int[] dims = [standardizer.Mean.Length];
            graph.Initializer("input.mean", dims, standardizer.Mean);
            graph.Initializer("input.std", dims, standardizer.Std);
            x = graph.Node("Div", [graph.Node("Sub", [x, "input.mean"]), "input.std"]);
        }
        IReadOnlyList<Layer> layers = model.AffineLayers;
        int index = 0;
        for (int k = 0; k < layers.Count; k++)
        {
            string? output = k == layers.Count - 1 ? "logits" : null;
            x = layers[k] switch
            {
                Linear linear => Gemm(graph, x, $"layer{index++}", linear.Weight.Data.Span, linear.Bias is { } b ? b.Data.Span : default, linear.InFeatures, output),
                SparseLinear sparse => Gemm(graph, x, $"layer{index++}", sparse.Weight.ToDense(), sparse.Bias, sparse.InFeatures, output),
                Layer int8 => OnnxInt8Layers.Write(graph, x, int8, ref index, output),
            };
            if (k < layers.Count - 1) x = Activation(graph, model, x);
        }
        if (softmax) graph.Node("Softmax", ["logits"], "probabilities", new OnnxAttribute("axis", -1));

        int inputs0 = model.Spec.InputSize, outputs = model.Spec.OutputSize;
        string doc = string.Create(CultureInfo.InvariantCulture,
            $"TinyKd MLP {model.Spec}, activation {SafeTensorsModel.NameOf(model.Spec.Activation)}{(standardizer is null ? "" : ", input standardisation included")}");
        return new ProtoWriter()
            .Int(1, IrVersion)
            .String(2, "tinykd")
            .String(3, typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "0")
            .String(6, doc)
            .Message(7, g => graph.Write(g, "tinykd_mlp", ("input", inputs0), softmax ? [("logits", outputs), ("probabilities", outputs)] : [("logits", outputs)]))
            .Message(8, opset => opset.Int(2, Opset))
            .ToArray();
    }

    /// <summary>Writes <see cref="Serialize"/>'s bytes to <paramref name="path"/> atomically (a killed export leaves the old file).</summary>
    /// <exception cref="ArgumentException">As <see cref="Serialize"/>.</exception>
    public static void Write(string path, Mlp model, Standardizer? standardizer = null, bool softmax = false)
    {
        byte[] bytes = Serialize(model, standardizer, softmax);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>True when <paramref name="model"/> holds int8 layers, which <see cref="Serialize"/> writes as integer operators.</summary>
    public static bool HoldsInt8(Mlp model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.AffineLayers.Any(OnnxInt8Layers.IsInt8);
    }

    // y = x·Wᵀ + b as one Gemm (transB = 1: W stays [Out, In]); a bias-less layer is a two-input Gemm.
    private static string Gemm(OnnxGraph graph, string x, string name, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int inFeatures, string? output)
    {
        int outFeatures = weight.Length / inFeatures;
        graph.Initializer($"{name}.weight", [outFeatures, inFeatures], weight);
        List<string> inputs = [x, $"{name}.weight"];
        if (!bias.IsEmpty)
        {
            graph.Initializer($"{name}.bias", [outFeatures], bias);
            inputs.Add($"{name}.bias");
        }
        return graph.Node("Gemm", inputs, output, new OnnxAttribute("transB", 1));
    }

    private static string Activation(OnnxGraph graph, Mlp model, string x) => model.Spec.Activation switch
    {
        Autograd.Nn.Activation.Relu => graph.Node("Relu", [x]),
        Autograd.Nn.Activation.LeakyRelu => graph.Node("LeakyRelu", [x], null,
            new OnnxAttribute("alpha", model.Modules().OfType<LeakyReLU>().First().NegativeSlope)),
        Autograd.Nn.Activation.Tanh => graph.Node("Tanh", [x]),
        Autograd.Nn.Activation.Sigmoid => graph.Node("Sigmoid", [x]),
        _ => Gelu(graph, x),
    };

    // The exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)): TinyKd's (and PyTorch's default) GELU in opset-13 operators.
    private static string Gelu(OnnxGraph graph, string x)
    {
        graph.Constant("gelu.sqrt2", MathF.Sqrt(2f));
        graph.Constant("gelu.one", 1f);
        graph.Constant("gelu.half", 0.5f);
        string erf = graph.Node("Erf", [graph.Node("Div", [x, "gelu.sqrt2"])]);
        return graph.Node("Mul", [graph.Node("Mul", [x, graph.Node("Add", [erf, "gelu.one"])]), "gelu.half"]);
    }
}
