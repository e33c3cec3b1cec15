namespace TinyKd.Distill.Pruning;

/// <summary>
/// The gradual pruning schedule of Zhu &amp; Gupta (2017, "To prune, or not to prune"):
/// s_t = s_f + (s_i − s_f)·(1 − (t − t₀)/(n·Δt))³ for t₀ ≤ t ≤ t₀ + n·Δt — fast pruning while many redundant
/// weights remain, slower as few are left.
/// </summary>
/// <param name="Initial">s_i, the sparsity at t₀, in [0, 1).</param>
/// <param name="Final">s_f, the sparsity reached at t₀ + n·Δt, in [s_i, 1).</param>
/// <param name="Start">t₀.</param>
/// <param name="Steps">n, the number of pruning steps (≥ 1).</param>
/// <param name="Interval">Δt, the training steps between pruning steps (≥ 1).</param>
public sealed record SparsitySchedule(double Initial, double Final, long Start, int Steps, long Interval)
{
    /// <summary>s_t, held at s_i before t₀ and at s_f after t₀ + n·Δt.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter of the schedule is out of range.</exception>
    public double At(long t)
    {
        if (!(Initial >= 0 && Initial < 1)) throw new ArgumentOutOfRangeException(nameof(Initial), $"The initial sparsity must be in [0, 1); got {Initial}.");
        if (!(Final >= Initial && Final < 1)) throw new ArgumentOutOfRangeException(nameof(Final), $"The final sparsity must be in [{Initial}, 1); got {Final}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Interval);
        double progress = Math.Clamp((double)(t - Start) / ((double)Steps * Interval), 0, 1);
        double remaining = 1 - progress;
        return Final + (Initial - Final) * remaining * remaining * remaining;
    }

    /// <summary>The sparsity after pruning step k (1 … n): s at t₀ + k·Δt.</summary>
    public double AfterStep(int k) => At(Start + k * Interval);
}
