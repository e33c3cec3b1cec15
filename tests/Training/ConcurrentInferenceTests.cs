using System.Runtime.InteropServices;
using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Training;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Training;

/// <summary>
/// Serving contract: one model, left in training mode with dropout, answers many threads at once; every answer is the
/// evaluation-mode answer, and the model's own mode is untouched.
/// </summary>
public class ConcurrentInferenceTests
{
    private const int Threads = 8;
    private const int CallsPerThread = 5000;
    private const int Rows = 8;

    [Fact]
    public void Eight_threads_predicting_on_a_model_in_training_mode_all_get_the_evaluation_mode_logits()
    {
        var model = new Mlp(MlpSpec.Parse("32-64-64-10", dropout: 0.5f), new Rng(11));
        Tensor features = Tensor.FromArray(RandomFeatures(Rows * 32, seed: 11), new Shape(Rows, 32));
        model.Eval();
        float[] reference = Evaluation.PredictLogits(model, features, 10);
        model.Train();

        int mismatches = 0;
        Concurrently.Run(Threads, _ =>
        {
            for (int call = 0; call < CallsPerThread; call++)
                if (!BitIdentical(reference, Evaluation.PredictLogits(model, features, 10)))
                    Interlocked.Increment(ref mismatches);
        });

        int leftTraining = model.Modules().Count(m => !m.IsTraining);
        Assert.True(mismatches == 0 && leftTraining == 0,
            $"{mismatches} of {Threads * CallsPerThread} concurrent predictions differ from the evaluation-mode reference, and {leftTraining} module(s) left the training mode (seed 11)");
    }

    [Fact]
    public void Dropout_in_training_mode_is_the_identity_on_a_graph_in_evaluation_mode_and_draws_no_mask()
    {
        var dropout = new Dropout(0.5f, seed: 3);
        Tensor x = Tensor.FromArray(RandomFeatures(64, seed: 3), new Shape(8, 8));
        var graph = new Graph(evaluationMode: true);
        float[] y = dropout.Forward(graph.Input(x)).Data.ToArray();
        Assert.True(dropout.IsTraining);
        Assert.Equal(0UL, dropout.Stream);
        Assert.Equal(x.ToArray(), y);
    }

    private static float[] RandomFeatures(int length, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = rng.NextFloat() * 2f - 1f;
        return values;
    }

    private static bool BitIdentical(float[] expected, float[] actual) =>
        MemoryMarshal.Cast<float, int>(expected).SequenceEqual(MemoryMarshal.Cast<float, int>(actual));
}
