namespace TinyKd.Autograd.Nn;

/// <summary>The activation functions an MLP can use between its layers.</summary>
public enum Activation
{
    /// <summary><see cref="ReLU"/>.</summary>
    Relu,
    /// <summary><see cref="LeakyReLU"/> with slope 0.01.</summary>
    LeakyRelu,
    /// <summary><see cref="Nn.Tanh"/>.</summary>
    Tanh,
    /// <summary><see cref="Nn.Sigmoid"/>.</summary>
    Sigmoid,
    /// <summary><see cref="GELU"/>.</summary>
    Gelu,
}

/// <summary>max(x, 0) as a module.</summary>
public sealed class ReLU : Layer
{
    /// <inheritdoc />
    public override Variable Forward(Variable input) => Ops.Relu(input);
}

/// <summary>Leaky ReLU as a module.</summary>
/// <param name="negativeSlope">The slope for x &lt; 0.</param>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Layer
{
    /// <summary>The slope for x &lt; 0.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc />
    public override Variable Forward(Variable input) => Ops.LeakyRelu(input, NegativeSlope);
}

/// <summary>tanh as a module.</summary>
public sealed class Tanh : Layer
{
    /// <inheritdoc />
    public override Variable Forward(Variable input) => Ops.Tanh(input);
}

/// <summary>The logistic sigmoid as a module.</summary>
public sealed class Sigmoid : Layer
{
    /// <inheritdoc />
    public override Variable Forward(Variable input) => Ops.Sigmoid(input);
}

/// <summary>The exact GELU as a module.</summary>
public sealed class GELU : Layer
{
    /// <inheritdoc />
    public override Variable Forward(Variable input) => Ops.Gelu(input);
}

/// <summary>Builds activation modules by kind.</summary>
public static class Activations
{
    /// <summary>A new module computing <paramref name="kind"/>.</summary>
    public static Layer Create(Activation kind) => kind switch
    {
        Activation.Relu => new ReLU(),
        Activation.LeakyRelu => new LeakyReLU(),
        Activation.Tanh => new Tanh(),
        Activation.Sigmoid => new Sigmoid(),
        Activation.Gelu => new GELU(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation."),
    };
}
