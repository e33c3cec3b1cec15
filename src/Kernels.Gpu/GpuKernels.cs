using ILGPU;
using ILGPU.Runtime;
using TinyKd.Gpu.Kernels;

namespace TinyKd.Gpu;

/// <summary>
/// The loaded kernels of one accelerator. Each is compiled on first use and kept, so a step never recompiles
/// (compiling a kernel for CUDA takes tens of milliseconds; a step launches dozens).
/// </summary>
internal sealed class GpuKernels(Accelerator accelerator)
{
    /// <summary>Kernels launched through this instance: each property read below is one launch.</summary>
    public long Launches { get; private set; }

    private Action<Index1D, ArrayView<float>, float>? _fill;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? _copy;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, float>? _unary;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int>? _unaryBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Dims4, Dims4, Dims4, int, int>? _binary;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, float, float>? _axpby;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, int>? _scaledAdd;
    private Action<Index1D, ArrayView<float>, float, float, ulong, ulong>? _dropoutMask;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float, int>? _reduce;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, int>? _broadcastAxis;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, Dims4, Dims4, float, int>? _sumTo;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>? _transposeLastTwo;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, AxisCopy, int>? _copyAlongAxis;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, float, int>? _reduceWarp;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, float, int>? _softmax;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, int>? _softmaxBackward;
    private Action<Index1D, ArrayView<int>, ArrayView<float>, int>? _argMax;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float, float>? _nllLoss;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, float, int, float, ArrayView<float>, int>? _crossEntropyBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<int>, int>? _labelledCount;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int>? _embeddingForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int, int>? _embeddingBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int, int>? _embeddingBackwardGrouped;
    private Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, SparseAdamScalars>? _sparseAdam;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, int>? _klRows;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _bceTerms;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>? _bceBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars>? _adam;
    private Action<Index1D, TensorGroup, AdamScalars>? _adamMany;
    private Action<KernelConfig, TensorGroup, ArrayView<float>, float>? _sumsOfSquaresMany;
    private Action<Index1D, TensorGroup, float>? _scaleMany;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>? _reluBackwardColumnSums;
    private Action<Index1D, TensorGroup, SgdScalars>? _sgdMany;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdScalars>? _sgd;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, float, int, int>? _sum;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>? _gemmTiled;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>? _gemmBlocked;
    private Action<KernelConfig, GemmOperands, GemmShape, GemmOperands, GemmShape, int>? _gemmBlockedPair;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>? _gemmBlocked8;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, int>? _gemmBlockedSlices;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, int>? _gemmSumSlices;

    public Action<Index1D, ArrayView<float>, float> Fill =>
        Launched(_fill ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> Copy =>
        Launched(_copy ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.Copy));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> Unary =>
        Launched(_unary ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(ElementwiseKernels.Unary));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int> UnaryBackward =>
        Launched(_unaryBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int, float, int>(ElementwiseKernels.UnaryBackward));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Dims4, Dims4, Dims4, int, int> Binary =>
        Launched(_binary ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Dims4, Dims4,
            Dims4, int, int>(ElementwiseKernels.Binary));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, float, float> Axpby =>
        Launched(_axpby ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float>(ElementwiseKernels.Axpby));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, int> ScaledAdd =>
        Launched(_scaledAdd ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, int>(
            ElementwiseKernels.ScaledAdd));

    public Action<Index1D, ArrayView<float>, float, float, ulong, ulong> DropoutMask =>
        Launched(_dropoutMask ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, float, ulong, ulong>(
            ElementwiseKernels.DropoutMask));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float, int> Reduce =>
        Launched(_reduce ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float, int>(
            AxisKernels.Reduce));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, int> BroadcastAxis =>
        Launched(_broadcastAxis ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, float, int>(
            AxisKernels.BroadcastAxis));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, Dims4, Dims4, float, int> SumTo =>
        Launched(_sumTo ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Dims4, Dims4, float, int>(
            AxisKernels.SumTo));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> TransposeLastTwo =>
        Launched(_transposeLastTwo ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(
            AxisKernels.TransposeLastTwo));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, AxisCopy, int> CopyAlongAxis =>
        Launched(_copyAlongAxis ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, AxisCopy, int>(
            AxisKernels.CopyAlongAxis));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, float, int> ReduceWarp =>
        Launched(_reduceWarp ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, int, int, float, int>(AxisKernels.ReduceWarp));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, float, int> Softmax =>
        Launched(_softmax ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, float, int>(RowKernels.Softmax));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, int> SoftmaxBackward =>
        Launched(_softmaxBackward ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int,
            float, int>(RowKernels.SoftmaxBackward));

    public Action<Index1D, ArrayView<int>, ArrayView<float>, int> ArgMax =>
        Launched(_argMax ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>, int>(RowKernels.ArgMax));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float, float> NllLoss =>
        Launched(_nllLoss ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float, float>(
            ReductionKernels.NllLoss));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, float, int, float, ArrayView<float>, int> CrossEntropyBackward =>
        Launched(_crossEntropyBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<float>, float, int, float, ArrayView<float>, int>(RowKernels.SoftmaxCrossEntropyBackward));

    public Action<Index1D, ArrayView<float>, ArrayView<int>, int> LabelledCount =>
        Launched(_labelledCount ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int>(LabelKernels.LabelledCount));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int> EmbeddingForward =>
        Launched(_embeddingForward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<int>, int, int, int>(EmbeddingKernels.Forward));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int, int> EmbeddingBackward =>
        Launched(_embeddingBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<int>, int, int, int, int>(EmbeddingKernels.Backward));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int, int> EmbeddingBackwardGrouped =>
        Launched(_embeddingBackwardGrouped ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<int>, int, int, int, int>(EmbeddingKernels.BackwardGrouped));

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, SparseAdamScalars> SparseAdam =>
        Launched(_sparseAdam ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int, SparseAdamScalars>(EmbeddingKernels.SparseAdam));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float, int> KlRows =>
        Launched(_klRows ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int, int, float, float, int>(RowKernels.KlDivergenceRows));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> BceTerms =>
        Launched(_bceTerms ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(RowKernels.BceTerms));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> BceBackward =>
        Launched(_bceBackward ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, int>(RowKernels.BceBackward));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars> Adam =>
        Launched(_adam ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            AdamScalars>(OptimizerKernels.Adam));

    public Action<Index1D, TensorGroup, AdamScalars> AdamMany =>
        Launched(_adamMany ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, TensorGroup, AdamScalars>(OptimizerKernels.AdamMany));

    public Action<Index1D, TensorGroup, SgdScalars> SgdMany =>
        Launched(_sgdMany ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, TensorGroup, SgdScalars>(OptimizerKernels.SgdMany));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdScalars> Sgd =>
        Launched(_sgd ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdScalars>(
            OptimizerKernels.Sgd));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> ReluBackwardColumnSums =>
        Launched(_reluBackwardColumnSums ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            int, int, int>(AxisKernels.ReluBackwardColumnSums));

    public Action<KernelConfig, TensorGroup, ArrayView<float>, float> SumsOfSquaresMany =>
        Launched(_sumsOfSquaresMany ??= accelerator.LoadStreamKernel<TensorGroup, ArrayView<float>, float>(ReductionKernels.SumsOfSquaresMany));

    public Action<Index1D, TensorGroup, float> ScaleMany =>
        Launched(_scaleMany ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, TensorGroup, float>(ElementwiseKernels.ScaleMany));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, float, int, int> Sum =>
        Launched(_sum ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, float, int, int>(ReductionKernels.Sum));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> GemmTiled =>
        Launched(_gemmTiled ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
            GemmKernels.Tiled));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> GemmBlocked =>
        Launched(_gemmBlocked ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
            GemmKernels.RegisterBlocked));

    public Action<KernelConfig, GemmOperands, GemmShape, GemmOperands, GemmShape, int> GemmBlockedPair =>
        Launched(_gemmBlockedPair ??= accelerator.LoadStreamKernel<GemmOperands, GemmShape, GemmOperands, GemmShape, int>(
            GemmKernels.RegisterBlockedPair));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> GemmBlocked8 =>
        Launched(_gemmBlocked8 ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(
            GemmKernels.RegisterBlocked8));

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, int> GemmBlockedSlices =>
        Launched(_gemmBlockedSlices ??= accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, int>(
            GemmKernels.RegisterBlockedSlices));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, int> GemmSumSlices =>
        Launched(_gemmSumSlices ??= accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape, int>(
            GemmKernels.SumSlices));

    private T Launched<T>(T kernel)
    {
        Launches++;
        return kernel;
    }
}
