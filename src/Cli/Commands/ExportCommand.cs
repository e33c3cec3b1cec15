using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Distill.Pruning;
using TinyKd.Recommender;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd export MODEL [--safetensors OUT] [--onnx OUT [--softmax]]</c>: writes a saved model as the
/// <c>.safetensors</c> state dictionary of the equivalent PyTorch <c>nn.Sequential</c> (see <see cref="SafeTensorsModel"/>)
/// and/or as an ONNX model (<see cref="OnnxExport"/>). A compressed model (sparse,
/// int8) is exported as its dense fp32 twin (<see cref="SparseServing.DenseTwin"/>), which the output says, except
/// that ONNX keeps int8 layers int8 (integer operators that give TinyKd's int8 outputs).
/// </summary>
public static class ExportCommand
{
    private static readonly OptionSpec[] Options =
    [
        new("safetensors", "FILE", "write the model's weights here as .safetensors, under PyTorch's state_dict names (an MLP's nn.Sequential; a recommender's MF or NeuMF module)"),
        new("onnx", "FILE", "write the model here as ONNX (opset 13: Gemm and the activations, int8 layers as MatMulInteger; the input standardisation included)"),
        new("softmax", null, "with --onnx: add a second output, the probabilities (Softmax over the logits)"),
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd export MODEL [--safetensors FILE] [--onnx FILE [--softmax]]",
                "Writes a saved model (.tkd) as a PyTorch nn.Sequential state dictionary in .safetensors and/or as an ONNX model (docs/interop.md).", Options));
            return 0;
        }
        if (line.Positional.Count != 1) throw new UsageException("export needs exactly one model file, e.g. tinykd export model.tkd --safetensors model.safetensors");
        if (string.IsNullOrWhiteSpace(line.Positional[0])) throw new UsageException("export needs a model file; the MODEL argument is empty");
        if (line.Get("safetensors") is null && line.Get("onnx") is null)
            throw new UsageException("give '--safetensors FILE' and/or '--onnx FILE': the file(s) to write");
        if (line.Flag("softmax") && line.Get("onnx") is null) throw new UsageException("--softmax adds an output to the ONNX model; add --onnx FILE");
        string? safetensorsPath = line.Get("safetensors") is null ? null : OutputPath.File("safetensors", line.Get("safetensors"));
        string? onnxPath = line.Get("onnx") is null ? null : OutputPath.File("onnx", line.Get("onnx"));

        string modelPath = line.Positional[0];
        if (RecommenderFile.Holds(modelPath))
        {
            if (onnxPath is not null) throw new UsageException($"'{modelPath}' is a recommender; ONNX export takes MLPs (use --safetensors)");
            return ExportRecommender(modelPath, safetensorsPath!, output);
        }
        SavedModel saved = ModelFile.Load(modelPath);
        Mlp model = saved.Model;
        bool int8Onnx = onnxPath is not null && OnnxExport.HoldsInt8(model);
        output.WriteLine($"tinykd export: {modelPath}: MLP {model.Spec} ({SafeTensorsModel.NameOf(model.Spec.Activation)}, dropout {model.Spec.Dropout.ToString(CultureInfo.InvariantCulture)})");
        if (model.AffineLayers.Any(l => l is not Linear) && (safetensorsPath is not null || !int8Onnx))
        {
            string kinds = string.Join(", ", model.AffineLayers.Where(l => l is not Linear).Select(l => l.GetType().Name).Distinct());
            model = SparseServing.DenseTwin(model);
            output.WriteLine($"  the model is compressed ({kinds}); exporting its dense fp32 twin (SparseServing.DenseTwin): pruned weights are stored as zeros, int8 weights dequantized");
        }
        if (safetensorsPath is not null)
        {
            var tensors = SafeTensorsModel.StateDict(model, saved.Standardizer);
            SafeTensorsFile.Write(safetensorsPath, tensors, SafeTensorsModel.Metadata(model.Spec));
            foreach (StoredTensor t in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
                output.WriteLine($"  {t.Name} {t.ShapeText}");
            if (saved.Standardizer is not null)
                output.WriteLine("  the model expects standardised inputs: PyTorch does not apply input.mean/input.std; compute (x - mean) / std before the model");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved {safetensorsPath} ({new FileInfo(safetensorsPath).Length:N0} bytes, {tensors.Count} tensors)"));
        }
        if (onnxPath is not null)
        {
            bool softmax = line.Flag("softmax");
            OnnxExport.Write(onnxPath, int8Onnx ? saved.Model : model, saved.Standardizer, softmax);
            string raw = (int8Onnx ? "; int8 layers as integer operators (MatMulInteger), giving TinyKd's int8 outputs" : "")
                + (saved.Standardizer is null ? "" : "; the standardisation is inside the graph, so it takes raw inputs");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"saved {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes, ONNX opset {OnnxExport.Opset}): input [batch, {model.Spec.InputSize}] → logits [batch, {model.Spec.OutputSize}]{(softmax ? " and probabilities" : "")}{raw}"));
        }
        return 0;
    }

    // A recommender (MF, NeuMF) as the state dictionary of scripts/recsys_pytorch.py's module (RecommenderSafeTensors);
    // an int8 one is refused with a usage error that says to export the fp32 model it was quantized from.
    private static int ExportRecommender(string modelPath, string safetensorsPath, TextWriter output)
    {
        RecommenderModel model = RecommenderFile.Load(modelPath);
        output.WriteLine($"tinykd export: {modelPath}: recommender {model.Architecture}, {model.UserCount} users, {model.ItemCount} items");
        List<StoredTensor> tensors;
        try
        {
            tensors = RecommenderSafeTensors.StateDict(model);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"'{modelPath}': {e.Message}");
        }
        SafeTensorsFile.Write(safetensorsPath, tensors, RecommenderSafeTensors.Metadata(model));
        foreach (StoredTensor t in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
            output.WriteLine($"  {t.Name} {t.ShapeText}");
        if (model is NeuMF)
            output.WriteLine($"  {RecommenderSafeTensors.GenreOffsets} and {RecommenderSafeTensors.GenreIndices} are the item genres, not parameters: pop them before load_state_dict (docs/interop.md)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved {safetensorsPath} ({new FileInfo(safetensorsPath).Length:N0} bytes, {tensors.Count} tensors)"));
        return 0;
    }
}
