using TinyKd.Tensors;

namespace TinyKd.Gpu;

// The primitives of sparse, int8 and quantization-aware models: their weights are host data structures
// (SparseMatrix, Int8LinearWeight), and this backend does not implement them. Modules
// that use them refuse Module.To for a device, so a model reaches these only by mistake; the message says where they run.
public sealed partial class GpuCompute
{
    /// <summary>Not supported on this backend: sparse layers run on the CPU backend.</summary>
    public void SparseLinear(Tensor y, Tensor x, SparseMatrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None) =>
        throw CpuOnly(nameof(SparseLinear));

    /// <summary>Not supported on this backend: sparse int8 layers run on the CPU backend.</summary>
    public void SparseInt8Linear(Tensor y, Tensor x, SparseInt8Matrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null) => throw CpuOnly(nameof(SparseInt8Linear));

    /// <summary>Not supported on this backend: int8 layers run on the CPU backend.</summary>
    public void Int8Linear(Tensor y, Tensor x, Int8LinearWeight weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null) => throw CpuOnly(nameof(Int8Linear));

    /// <summary>Not supported on this backend: int8 layers run on the CPU backend.</summary>
    public void Int8LinearU8(Tensor y, ReadOnlySpan<byte> x, Int8LinearWeight weight, ActivationQuantization input, Tensor bias = default,
        Epilogue epilogue = Epilogue.None) => throw CpuOnly(nameof(Int8LinearU8));

    /// <summary>Not supported on this backend: int8 layers run on the CPU backend.</summary>
    public void Int8LinearU8(Span<byte> y, ReadOnlySpan<byte> x, int batch, Int8LinearWeight weight, ActivationQuantization input,
        ActivationQuantization output, Tensor bias = default, Epilogue epilogue = Epilogue.None) => throw CpuOnly(nameof(Int8LinearU8));

    /// <summary>Not supported on this backend: quantization-aware training runs on the CPU backend.</summary>
    public ActivationQuantization FakeQuantize(Tensor y, Tensor x, ActivationQuantization? quantization = null) =>
        throw CpuOnly(nameof(FakeQuantize));

    /// <summary>Not supported on this backend: quantization-aware training runs on the CPU backend.</summary>
    public void FakeQuantizeBackward(Tensor dx, Tensor x, Tensor dy, ActivationQuantization quantization) =>
        throw CpuOnly(nameof(FakeQuantizeBackward));

    /// <summary>Not supported on this backend: quantization-aware training runs on the CPU backend.</summary>
    public void FakeQuantizeRows(Tensor y, Tensor x) => throw CpuOnly(nameof(FakeQuantizeRows));

    private NotSupportedException CpuOnly(string op) =>
        new($"{op} is not implemented on the ILGPU backend '{Name}'; it runs on the CPU backend (keep the model on 'cpu').");
}
