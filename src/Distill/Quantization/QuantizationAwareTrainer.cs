using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Distillation;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Distill.Quantization;

/// <summary>
/// Quantization-aware training (QAT): a trained fp32 model is fine-tuned with every affine layer replaced by its
/// <see cref="FakeQuantizedLinear"/> — the forward rounds inputs and weights to the int8 grids the served model will
/// use, gradients pass straight through the rounding to the fp32 weights — then quantized like post-training
/// quantization (<see cref="PostTrainingQuantizer"/>), onto the grid the fine-tuning saw. Static input ranges are
/// calibrated once on the fp32 model before fine-tuning and kept, so training and serving clamp at the same bounds.
/// The fine-tuning distils from the teachers when any are given (the distillation objective), else trains on the labels.
/// </summary>
public static class QuantizationAwareTrainer
{
    /// <summary>Fine-tunes <paramref name="model"/> in place, quantization-aware, and returns its int8 copy.</summary>
    /// <param name="model">A trained dense fp32 MLP (<see cref="Linear"/> layers); its weights end fine-tuned.</param>
    /// <param name="options">The int8 settings the served model will have (activations, calibration, fp32 output layer).</param>
    /// <param name="training">The fine-tuning recipe (epochs, learning rate, batch, seed); only a non-finite loss counts as
    /// divergence (see <see cref="TrainingOptions.AllowDivergence"/>).</param>
    /// <param name="train">The fine-tuning data.</param>
    /// <param name="validation">Scored after each epoch, or null.</param>
    /// <param name="teachers">Teachers to distil from; empty or null for cross-entropy on the labels.</param>
    /// <param name="distillation">The distillation recipe with teachers (defaults when null).</param>
    /// <param name="calibration">[N, In] rows, preprocessed as the model expects; required for static activations.</param>
    /// <param name="progress">Called after each fine-tuning epoch.</param>
    /// <exception cref="ArgumentException">A layer that is not a dense <see cref="Linear"/> (prune after quantizing is not
    /// supported: QAT trains dense weights), static mode without calibration rows, or a bad training option.</exception>
    public static Mlp Run(Mlp model, QuantizationOptions options, TrainingOptions training, Dataset train,
        Dataset? validation = null, IReadOnlyList<Teacher>? teachers = null, DistillationOptions? distillation = null,
        Tensor calibration = default, Action<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(train);
        IReadOnlyList<Layer> affine = model.AffineLayers;
        if (affine.FirstOrDefault(l => l is not Linear) is { } other)
            throw new ArgumentException($"Quantization-aware training fine-tunes dense fp32 layers; MLP {model.Spec} holds a {other.GetType().Name}.", nameof(model));
        IReadOnlyList<ActivationQuantization>? ranges = options.Activations == ActivationMode.Static
            ? PostTrainingQuantizer.Calibrate(model, calibration, options)
            : null;
        var layers = new List<Layer>(affine.Count);
        for (int l = 0; l < affine.Count; l++)
        {
            var linear = (Linear)affine[l];
            bool keep = options.KeepOutputLayerFp32 && l == affine.Count - 1;
            layers.Add(keep ? linear : new FakeQuantizedLinear(linear, ranges?[l]));
        }
        var simulated = new Mlp(model.Spec, layers);
        // The divergence check compares a run with its first step's loss as the untrained model's; a fine-tuned model
        // starts trained, so (as in pruning) only non-finite numbers, which always end a run, are checked.
        training = training with { AllowDivergence = true };
        Distiller.FineTuner(simulated, teachers, distillation, training).Fit(train, validation, progress);
        return PostTrainingQuantizer.Quantize(model, options, ranges);
    }
}
