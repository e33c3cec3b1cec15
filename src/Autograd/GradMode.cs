namespace TinyKd.Autograd;

/// <summary>Whether ops record themselves for backward (per thread), like PyTorch's <c>torch.no_grad()</c>.</summary>
public static class GradMode
{
    [ThreadStatic] private static int t_disabledDepth;

    /// <summary>True unless the current thread is inside a <see cref="NoGrad"/> scope.</summary>
    public static bool IsEnabled => t_disabledDepth == 0;

    /// <summary>
    /// Disables recording until the returned scope is disposed: ops still compute, but nothing is taped and no
    /// result requires a gradient. Scopes nest.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        t_disabledDepth++;
        return new NoGradScope(true);
    }

    /// <summary>Ends a <see cref="NoGrad"/> scope; use it with <c>using</c>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly bool _active;

        internal NoGradScope(bool active) => _active = active;

        /// <summary>Re-enables recording (if this scope was the outermost).</summary>
        public void Dispose()
        {
            if (_active) t_disabledDepth--;
        }
    }
}
