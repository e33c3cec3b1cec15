namespace TinyKd.Autograd;

public sealed partial class Variable
{
    /// <summary>Elementwise sum; see <see cref="Ops.Add"/>.</summary>
    public static Variable operator +(Variable a, Variable b) => Ops.Add(a, b);

    /// <summary>Elementwise difference; see <see cref="Ops.Subtract"/>.</summary>
    public static Variable operator -(Variable a, Variable b) => Ops.Subtract(a, b);

    /// <summary>Elementwise product; see <see cref="Ops.Multiply"/>.</summary>
    public static Variable operator *(Variable a, Variable b) => Ops.Multiply(a, b);

    /// <summary>Elementwise quotient; see <see cref="Ops.Divide"/>.</summary>
    public static Variable operator /(Variable a, Variable b) => Ops.Divide(a, b);

    /// <summary>Scaling by a number; see <see cref="Ops.Scale"/>.</summary>
    public static Variable operator *(Variable a, float alpha) => Ops.Scale(a, alpha);

    /// <summary>Scaling by a number; see <see cref="Ops.Scale"/>.</summary>
    public static Variable operator *(float alpha, Variable a) => Ops.Scale(a, alpha);

    /// <summary>Negation.</summary>
    public static Variable operator -(Variable a) => Ops.Scale(a, -1f);
}
