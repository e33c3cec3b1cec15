namespace TinyKd.Autograd;

/// <summary>
/// The differentiable ops. Each file holds one family, each op's forward next to its backward; every forward
/// takes its buffers from the inputs' <see cref="Graph"/>, computes through the graph's backend and, when grad
/// mode is on and an input requires a gradient, records a tape entry whose backward adds into the input gradients.
/// </summary>
public static partial class Ops;
