using TinyKd.Tensors;

namespace TinyKd.Autograd;

/// <summary>The backward pass of one recorded op: adds the op's input gradients given its output gradient.</summary>
internal delegate void BackwardFunction(in TapeEntry entry, Graph graph);

/// <summary>
/// One op on the tape: its backward function (a static method, so the delegate is cached and recording allocates
/// nothing), its output, up to three inputs, tensors saved by the forward pass and scalar parameters. Each op
/// decides what the generic slots mean and documents it beside its backward.
/// </summary>
internal readonly struct TapeEntry
{
    public TapeEntry(BackwardFunction backward, Variable output, Variable? a, Variable? b = null, Variable? c = null)
    {
        Backward = backward;
        Output = output;
        A = a;
        B = b;
        C = c;
    }

    public BackwardFunction Backward { get; }
    public Variable Output { get; }
    public Variable? A { get; }
    public Variable? B { get; }
    public Variable? C { get; }
    public Tensor Saved { get; init; }
    public Tensor Saved2 { get; init; }
    public float P0 { get; init; }
    public float P1 { get; init; }
    public int I0 { get; init; }
    public int I1 { get; init; }
    public int I2 { get; init; }
    public IntTensor Labels { get; init; }
    public IntTensor Offsets { get; init; }
    public ReadOnlyMemory<int> HostIndices { get; init; }
}
