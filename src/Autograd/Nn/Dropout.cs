namespace TinyKd.Autograd.Nn;

/// <summary>
/// Inverted dropout as a module: active in training mode only, and never on a graph in
/// <see cref="Graph.EvaluationMode"/> (where it neither draws a mask nor advances <see cref="Stream"/>). Each training
/// forward uses the next stream of a counter-based generator keyed by <see cref="Seed"/>, so a run is reproducible and
/// a checkpoint restores it by saving <see cref="Stream"/>.
/// </summary>
public sealed class Dropout : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public Dropout(float p, ulong seed)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1); got {p}.");
        P = p;
        Seed = seed;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>The key of the mask generator.</summary>
    public ulong Seed { get; }

    /// <summary>How many training forwards have drawn a mask so far (the next mask's stream).</summary>
    public ulong Stream { get; set; }

    /// <inheritdoc />
    public override Variable Forward(Variable input) =>
        IsTrainingOn(input) && P > 0f ? Ops.Dropout(input, P, true, Seed, Stream++) : input;
}
