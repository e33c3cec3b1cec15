using ILGPU;

namespace TinyKd.Gpu.Kernels;

/// <summary>
/// The count of labelled rows that the cross-entropy mean divides by, computed where the labels live so that the host
/// never reads them, for a backward that was not handed the count its forward (ReductionKernels.NllLoss) wrote. One
/// thread walks the B labels (B is a batch, and the walk is cheaper than a launch of a reduction).
/// </summary>
internal static class LabelKernels
{
    // count[0] = the number of labels ≥ 0 (rows labelled Unlabelled = −1 are skipped), as a float.
    public static void LabelledCount(Index1D i, ArrayView<float> count, ArrayView<int> labels, int rows)
    {
        int n = 0;
        for (int r = 0; r < rows; r++)
            if (labels[r] >= 0) n++;
        count[0] = n;
    }
}
