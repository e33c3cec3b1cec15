namespace TinyKd.Distill.Data;

/// <summary>Which statistics a <see cref="Standardizer"/> fits.</summary>
public enum StandardizationMode
{
    /// <summary>One mean and one deviation over every feature of every example, as MNIST recipes use.</summary>
    Global,

    /// <summary>A mean and a deviation per feature (column), as scikit-learn's <c>StandardScaler</c>.</summary>
    PerFeature,
}
