namespace TinyKd.Tensors;

/// <summary>Whether a GEMM operand is read as stored or transposed (without materialising the transpose).</summary>
public enum Transpose
{
    /// <summary>Use the matrix as stored.</summary>
    No,
    /// <summary>Use the transpose of the stored matrix.</summary>
    Yes,
}

/// <summary>An activation applied in place by the GEMM epilogue after the bias.</summary>
public enum Epilogue
{
    /// <summary>No activation.</summary>
    None,
    /// <summary>max(x, 0).</summary>
    Relu,
}

/// <summary>Elementwise functions of one input, with their derivatives known to the backend.</summary>
public enum UnaryOp
{
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>x for x &gt; 0, slope·x otherwise (slope is the op parameter).</summary>
    LeakyRelu,
    /// <summary>tanh(x).</summary>
    Tanh,
    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid,
    /// <summary>x·Φ(x) with the exact Gaussian CDF (PyTorch's default GELU).</summary>
    Gelu,
}

/// <summary>Elementwise functions of two inputs.</summary>
public enum BinaryOp
{
    /// <summary>a + b.</summary>
    Add,
    /// <summary>a − b.</summary>
    Subtract,
    /// <summary>a · b.</summary>
    Multiply,
    /// <summary>a / b.</summary>
    Divide,
}

/// <summary>Reductions along one axis.</summary>
public enum ReduceOp
{
    /// <summary>Sum.</summary>
    Sum,
    /// <summary>Arithmetic mean.</summary>
    Mean,
    /// <summary>Maximum.</summary>
    Max,
}
