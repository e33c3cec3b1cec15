namespace TinyKd.Autograd;

/// <summary>
/// Loss functions: each returns a scalar variable (shape []) and fuses its forward into one backend kernel with
/// a matching fused backward. B = rows (batch), C = classes.
/// </summary>
public static partial class Losses;
