namespace TinyKd.Distill.Training;

/// <summary>
/// Random translation of every training image by up to ±<see cref="MaxShift"/> pixels in each direction (what
/// Hinton et al. used to distil MNIST), drawn per sample and epoch from the run's seed, so a resumed run sees the
/// same shifts.
/// </summary>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels (Height × Width = the feature count).</param>
/// <param name="MaxShift">Largest shift in pixels, in [0, min(Height, Width)).</param>
/// <param name="Fill">The feature value of an empty pixel (0 in raw pixels; −mean/std after standardisation).</param>
public sealed record ImageAugmentation(int Height, int Width, int MaxShift = 2, float Fill = 0f)
{
    /// <summary>Throws when a size is not positive or the shift is out of range.</summary>
    public void Validate()
    {
        if (Height < 1 || Width < 1) throw new ArgumentOutOfRangeException(nameof(Height), $"Images must be at least 1×1; got {Height}×{Width}.");
        if (MaxShift < 0 || MaxShift >= Math.Min(Height, Width))
            throw new ArgumentOutOfRangeException(nameof(MaxShift), $"The shift must be in [0, {Math.Min(Height, Width)}) for {Height}×{Width} images; got {MaxShift}.");
        if (!float.IsFinite(Fill)) throw new ArgumentOutOfRangeException(nameof(Fill), $"The fill value must be finite; got {Fill}.");
    }
}
