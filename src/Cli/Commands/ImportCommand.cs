using System.Globalization;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;

namespace TinyKd.Cli.Commands;

/// <summary>
/// <c>tinykd import FILE.safetensors [--arch SIZES] --out T.tkd</c>: brings a PyTorch MLP saved as a <c>.safetensors</c>
/// state dictionary (an <c>nn.Sequential</c> of Linear, activation, [Dropout] …) into TinyKd as a model file, e.g. to
/// distil from it as a teacher (see <see cref="SafeTensorsModel.Import"/>).
/// </summary>
public static class ImportCommand
{
    private static readonly OptionSpec[] Options =
    [
        new("arch", "SIZES", "expected layer widths, input to output (e.g. 784-1200-1200-10); inferred from the weights when absent"),
        new("activation", "NAME", "the hidden activation of the PyTorch model: relu, leaky-relu, tanh, sigmoid or gelu (default: the file's tinykd.activation, else relu)"),
        new("dropout", "P", "dropout recorded in the model, in [0, 1) (inactive in evaluation; default: the file's tinykd.dropout, else 0)"),
        new("out", "FILE", "where to save the TinyKd model", "teacher.tkd"),
    ];

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var line = CommandLine.Parse(args, Options);
        if (line.WantsHelp)
        {
            output.Write(CommandLine.Help("tinykd import FILE.safetensors [--arch SIZES] [options]",
                "Imports a PyTorch nn.Sequential MLP saved as .safetensors (state_dict names) as a TinyKd model (docs/interop.md).", Options));
            return 0;
        }
        if (line.Positional.Count != 1) throw new UsageException("import needs exactly one .safetensors file, e.g. tinykd import teacher.safetensors --arch 784-1200-1200-10 --out teacher.tkd");
        if (string.IsNullOrWhiteSpace(line.Positional[0])) throw new UsageException("import needs a .safetensors file; the FILE argument is empty");
        int[]? sizes = null;
        if (line.Get("arch") is { } arch)
        {
            try
            {
                sizes = MlpSpec.Parse(arch).Sizes;
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"option '--arch': {Messages.Plain(e)}");
            }
        }
        string? activationName = line.Get("activation") is null ? null : line.Choice("activation", [.. SafeTensorsModel.ActivationNames.Keys]);
        float? dropout = line.Get("dropout") is null ? null : line.Float("dropout", 0f, 0.99f);
        string outPath = OutputPath.File("out", line.Get("out"));

        string path = line.Positional[0];
        SafeTensorsImportResult result = SafeTensorsImport.Load(path, sizes, activationName, dropout);
        ImportedMlp imported = result.Imported;
        Activation activation = result.Activation;
        string activationSource = result.Source switch
        {
            ActivationSource.Given => " (--activation)",
            ActivationSource.Metadata => $" (the file's {SafeTensorsModel.ActivationKey})",
            _ => " (the default; PyTorch's state_dict does not record it: give --activation if it is not ReLU)",
        };
        Mlp model = imported.Model;
        output.WriteLine($"tinykd import: {path}: MLP {model.Spec}{(sizes is null ? " (inferred from the weights)" : "")}, activation {SafeTensorsModel.NameOf(activation)}{activationSource}");
        foreach (var (layer, k) in model.AffineLayers.Select((l, k) => ((Linear)l, k)))
        {
            int n = imported.LayerNames[k];
            output.WriteLine($"  {n}.weight [{layer.OutFeatures}, {layer.InFeatures}]{(layer.Bias is null ? " (no bias)" : $" + {n}.bias [{layer.OutFeatures}]")} → layer {k + 1}: {layer.InFeatures}→{layer.OutFeatures}");
        }
        IReadOnlyList<int> indices = imported.LayerNames;
        if (!result.DropoutRecorded && indices.Count > 1 && indices.Zip(indices.Skip(1)).All(p => p.Second - p.First == 3))
            output.WriteLine("  the Linear layers sit 3 apart (Linear, activation, Dropout …): give --dropout P to record the dropout, so that 'tinykd export' writes these same names back (without it: 0, 2, 4 …)");
        if (imported.Standardizer is not null)
            output.WriteLine($"  input standardisation from input.mean/input.std ({(imported.Standardizer.IsPerFeature ? "per feature" : "global")})");
        ModelFile.Save(outPath, model, imported.Standardizer, new Dictionary<string, string>
        {
            ["stage"] = "imported",
            ["imported_from"] = path,
        });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved {outPath} ({new FileInfo(outPath).Length:N0} bytes, {model.ParameterCount():N0} parameters)"));
        return 0;
    }
}
