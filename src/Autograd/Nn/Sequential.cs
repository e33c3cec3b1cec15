namespace TinyKd.Autograd.Nn;

/// <summary>
/// Applies its modules in order; children are named "0", "1", … as in PyTorch. A dense <see cref="Linear"/> followed by
/// a <see cref="ReLU"/> runs as one <see cref="Ops.LinearRelu"/> (the same values, one pass fewer).
/// </summary>
public class Sequential : Layer
{
    private readonly Layer[] _layers;

    /// <summary>Creates the chain.</summary>
    public Sequential(params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = (Layer[])layers.Clone();
    }

    /// <summary>The number of modules.</summary>
    public int Count => _layers.Length;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Layer this[int index] => _layers[index];

    /// <inheritdoc />
    public override Variable Forward(Variable input)
    {
        Variable x = input;
        for (int i = 0; i < _layers.Length; i++) i = Apply(i, ref x);
        return x;
    }

    /// <summary>
    /// Applies module <paramref name="index"/> to <paramref name="x"/>, fused with the next when they are a dense Linear
    /// and a ReLU, and returns the index of the last module applied.
    /// </summary>
    private protected int Apply(int index, ref Variable x)
    {
        if (_layers[index] is Linear linear && index + 1 < _layers.Length && _layers[index + 1] is ReLU)
        {
            x = Ops.LinearRelu(x, linear.Weight, linear.Bias);
            return index + 1;
        }
        x = _layers[index].Forward(x);
        return index;
    }

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Module Child)> Children() =>
        _layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), (Module)m));
}
