namespace TinyKd.Distill.Training;

/// <summary>
/// A training run diverged: the loss or a weight became NaN or infinite, or the run ended with a loss above where it
/// started (see <see cref="DivergenceCheck"/>). The message says what was seen and where.
/// </summary>
public sealed class TrainingDivergedException : ArithmeticException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public TrainingDivergedException() : base("Training diverged.")
    {
    }

    /// <summary>Creates the exception with a message that says what diverged and where.</summary>
    public TrainingDivergedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed the divergence.</summary>
    public TrainingDivergedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
