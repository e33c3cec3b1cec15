using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;

namespace TinyKd.Distill.Interop;

/// <summary>
/// Writes a dense fp32 <see cref="Mlp"/> as an ONNX model (IR version 8, opset 13, the default domain), for ONNX
/// Runtime and every other ONNX engine: input "input" [batch, In] float (a symbolic batch), one <c>Gemm</c> per layer
/// (transB = 1: the weight stays [Out, In] as TinyKd and PyTorch store it, the bias as C), the activation between
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
    /// <exception cref="ArgumentException">A layer is not a dense <see cref="Linear"/> (export a compressed model's dense twin), or the standardizer's statistics do not fit the input width.</exception>
    public static byte[] Serialize(Mlp model, Standardizer? standardizer = null, bool softmax = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.AffineLayers.FirstOrDefault(l => l is not Linear) is { } other)
            throw new ArgumentException($"ONNX export writes dense fp32 layers; MLP {model.Spec} holds a {other.GetType().Name} (export its dense twin, SparseServing.DenseTwin).", nameof(model));
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
        var layers = model.AffineLayers.Cast<Linear>().ToList();
        for (int k = 0; k < layers.Count; k++)
        {
            Linear layer = layers[k];
            string w = $"layer{k}.weight";
            graph.Initializer(w, [layer.OutFeatures, layer.InFeatures], layer.Weight.Data.Span);
            List<string> inputs = [x, w];
            if (layer.Bias is { } bias)
            {
                graph.Initializer($"layer{k}.bias", [layer.OutFeatures], bias.Data.Span);
                inputs.Add($"layer{k}.bias");
            }
            x = graph.Node("Gemm", inputs, k == layers.Count - 1 ? "logits" : null, new OnnxAttribute("transB", 1));
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
