namespace TinyKd.Autograd.Nn;

/// <summary>A module that maps one variable to one (PyTorch's <c>forward(x)</c>): layers, activations, MLPs.</summary>
public abstract class Layer : Module
{
    /// <summary>Computes the layer's output for <paramref name="input"/>.</summary>
    public abstract Variable Forward(Variable input);
}
