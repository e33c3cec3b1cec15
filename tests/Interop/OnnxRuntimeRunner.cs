using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using TinyKd.Distill.Data;
using TinyKd.Tensors;
using TinyKd.Samples;

namespace TinyKd.Tests.Interop;

/// <summary>Runs an exported ONNX model in ONNX Runtime (default session options) on one [B, In] batch, and gives the real images to run it on.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>The output <paramref name="outputName"/> of the model <paramref name="onnx"/> for the input <paramref name="x"/>, flattened.</summary>
    public static float[] Run(byte[] onnx, Tensor x, string outputName = "logits")
    {
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor(x.ToArray(), [x.Shape[0], x.Shape[1]]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        return [.. results.First(r => r.Name == outputName).AsTensor<float>()];
    }

    /// <summary>
    /// The first <paramref name="count"/> Fashion-MNIST sample test images, raw (what the exported graph takes: its
    /// standardisation is inside) and standardised by <paramref name="standardizer"/> (what TinyKd's model takes).
    /// </summary>
    public static (Tensor Raw, Tensor Standardised) TestImages(Standardizer standardizer, int count)
    {
        var (_, test) = FashionMnistSample.Load();
        Tensor raw = test.Features.Slice(0, count);
        Tensor standardised = Tensor.FromArray(raw.ToArray(), count, raw.Shape[1]);
        standardizer.Apply(standardised);
        return (raw, standardised);
    }
}
