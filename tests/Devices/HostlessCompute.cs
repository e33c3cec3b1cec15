using TinyKd.Tensors;

namespace TinyKd.Tests.Devices;

/// <summary>
/// A test backend that stands for a device: it computes with the CPU kernels, but its storage is not
/// <see cref="CpuStorage"/> (nor its int storage <see cref="CpuIntStorage"/>), so <see cref="Tensor.Span"/> and
/// <see cref="IntTensor.Span"/> refuse it and the only way to its numbers is an explicit CopyToHost or CopyFromHost, of
/// floats or of ints, which it counts alike. Code that runs on it bit for bit as on the
/// CPU, with the transfers it expects, reaches the numbers only through the seam — as a GPU backend needs.
/// </summary>
internal sealed class HostlessCompute : ICompute
{
    private static readonly CpuCompute Cpu = CpuCompute.Default;

    /// <summary>Copies from the backend to the host so far.</summary>
    public int Downloads { get; private set; }

    /// <summary>Copies from the host to the backend so far.</summary>
    public int Uploads { get; private set; }

    private readonly List<BackendMemory> _allocations = [];

    public string Name => "hostless";

    /// <summary>The float and int storages allocated so far and not disposed (device memory a real backend would hold).</summary>
    public IReadOnlyList<BackendMemory> LiveStorages => [.. _allocations.Where(a => !a.IsDisposed)];

    public Storage Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var storage = new HostlessStorage(this, new float[length]);
        _allocations.Add(storage);
        return storage;
    }

    public void CopyFromHost(Tensor destination, ReadOnlySpan<float> source)
    {
        Uploads++;
        Cpu.CopyFromHost(C(destination), source);
    }

    public void CopyToHost(Tensor source, Span<float> destination)
    {
        Downloads++;
        Cpu.CopyToHost(C(source), destination);
    }

    public IntStorage AllocateInts(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var storage = new HostlessIntStorage(this, new int[length]);
        _allocations.Add(storage);
        return storage;
    }

    public void CopyFromHost(IntTensor destination, ReadOnlySpan<int> source)
    {
        Uploads++;
        Cpu.CopyFromHost(C(destination), source);
    }

    public void CopyToHost(IntTensor source, Span<int> destination)
    {
        Downloads++;
        Cpu.CopyToHost(C(source), destination);
    }

    public void Copy(Tensor y, Tensor x, bool accumulate = false) => Cpu.Copy(C(y), C(x), accumulate);
    public void Fill(Tensor y, float value) => Cpu.Fill(C(y), value);

    public void Gemm(Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha = 1f, float beta = 0f, Tensor bias = default, Epilogue epilogue = Epilogue.None) =>
        Cpu.Gemm(C(c), C(a), transposeA, C(b), transposeB, alpha, beta, C(bias), epilogue);

    public void SparseLinear(Tensor y, Tensor x, SparseMatrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None) =>
        Cpu.SparseLinear(C(y), C(x), weight, C(bias), epilogue);

    public void SparseInt8Linear(Tensor y, Tensor x, SparseInt8Matrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null) => Cpu.SparseInt8Linear(C(y), C(x), weight, C(bias), epilogue, activation);

    public void Unary(UnaryOp op, Tensor y, Tensor x, float parameter = 0f) => Cpu.Unary(op, C(y), C(x), parameter);

    public void UnaryBackward(UnaryOp op, Tensor dx, Tensor x, Tensor y, Tensor dy, float parameter = 0f, bool accumulate = true) =>
        Cpu.UnaryBackward(op, C(dx), C(x), C(y), C(dy), parameter, accumulate);

    public void Binary(BinaryOp op, Tensor y, Tensor a, Tensor b, bool accumulate = false) => Cpu.Binary(op, C(y), C(a), C(b), accumulate);
    public void SumTo(Tensor y, Tensor x, float scale = 1f, bool accumulate = false) => Cpu.SumTo(C(y), C(x), scale, accumulate);
    public void Axpby(Tensor y, Tensor x, float alpha, float beta) => Cpu.Axpby(C(y), C(x), alpha, beta);

    public void Reduce(ReduceOp op, Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false) =>
        Cpu.Reduce(op, C(y), C(x), axis, scale, accumulate);

    public void BroadcastAxis(Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false) =>
        Cpu.BroadcastAxis(C(y), C(x), axis, scale, accumulate);

    public void ArgMax(Tensor x, IntTensor indices) => Cpu.ArgMax(C(x), C(indices));
    public void TransposeLastTwo(Tensor y, Tensor x, bool accumulate = false) => Cpu.TransposeLastTwo(C(y), C(x), accumulate);

    public void CopyAlongAxis(Tensor y, int yStart, Tensor x, int xStart, int count, int axis, bool accumulate = false) =>
        Cpu.CopyAlongAxis(C(y), yStart, C(x), xStart, count, axis, accumulate);

    public void Softmax(Tensor y, Tensor x, float temperature, bool log) => Cpu.Softmax(C(y), C(x), temperature, log);

    public void SoftmaxBackward(Tensor dx, Tensor y, Tensor dy, float temperature, bool log) =>
        Cpu.SoftmaxBackward(C(dx), C(y), C(dy), temperature, log);

    public void NllLoss(Tensor loss, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor labelledCount = default, float weight = 1f) =>
        Cpu.NllLoss(C(loss), C(logProbabilities), C(labels), smoothing, C(labelledCount), weight);

    public void SoftmaxCrossEntropyBackward(Tensor dLogits, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor scale,
        bool accumulate = true, Tensor labelledCount = default, float factor = 1f) =>
        Cpu.SoftmaxCrossEntropyBackward(C(dLogits), C(logProbabilities), C(labels), smoothing, C(scale), accumulate, C(labelledCount), factor);

    public void KlDivergenceWithGradient(Tensor loss, Tensor dStudent, Tensor dTeacher, Tensor studentLogits, Tensor teacherLogits,
        float temperature, float weight = 1f) =>
        Cpu.KlDivergenceWithGradient(C(loss), C(dStudent), C(dTeacher), C(studentLogits), C(teacherLogits), temperature, weight);

    public void BceWithLogits(Tensor loss, Tensor logits, Tensor targets) => Cpu.BceWithLogits(C(loss), C(logits), C(targets));

    public void BceWithLogitsBackward(Tensor dLogits, Tensor dTargets, Tensor logits, Tensor targets, Tensor scale) =>
        Cpu.BceWithLogitsBackward(C(dLogits), C(dTargets), C(logits), C(targets), C(scale));

    public void SumOfSquares(Tensor result, Tensor x, float scale) => Cpu.SumOfSquares(C(result), C(x), scale);

    public void ScaledAdd(Tensor y, Tensor x, Tensor scale, float factor = 1f, float divisor = 1f, bool accumulate = true) =>
        Cpu.ScaledAdd(C(y), C(x), C(scale), factor, divisor, accumulate);

    public void DropoutMask(Tensor mask, float p, ulong seed, ulong stream) => Cpu.DropoutMask(C(mask), p, seed, stream);

    public void EmbeddingForward(Tensor y, Tensor table, IntTensor indices, IntTensor offsets, bool mean) =>
        Cpu.EmbeddingForward(C(y), C(table), C(indices), C(offsets), mean);

    public void EmbeddingBackward(Tensor rows, IntTensor slots, Tensor dy, IntTensor offsets, bool mean) =>
        Cpu.EmbeddingBackward(C(rows), C(slots), C(dy), C(offsets), mean);

    public void SparseAdamUpdate(Tensor parameter, IntTensor rows, Tensor rowGradients, Tensor m, Tensor v, AdamStep step) =>
        Cpu.SparseAdamUpdate(C(parameter), C(rows), C(rowGradients), C(m), C(v), step);

    public void AdamUpdate(Tensor parameter, Tensor gradient, Tensor m, Tensor v, AdamStep step) =>
        Cpu.AdamUpdate(C(parameter), C(gradient), C(m), C(v), step);

    public void SgdUpdate(Tensor parameter, Tensor gradient, Tensor momentumBuffer, SgdStep step) =>
        Cpu.SgdUpdate(C(parameter), C(gradient), C(momentumBuffer), step);

    public void Int8Linear(Tensor y, Tensor x, Int8LinearWeight weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null) => Cpu.Int8Linear(C(y), C(x), weight, C(bias), epilogue, activation);

    public void Int8LinearU8(Tensor y, ReadOnlySpan<byte> x, Int8LinearWeight weight, ActivationQuantization input, Tensor bias = default,
        Epilogue epilogue = Epilogue.None) => Cpu.Int8LinearU8(C(y), x, weight, input, C(bias), epilogue);

    public void Int8LinearU8(Span<byte> y, ReadOnlySpan<byte> x, int batch, Int8LinearWeight weight, ActivationQuantization input,
        ActivationQuantization output, Tensor bias = default, Epilogue epilogue = Epilogue.None) =>
        Cpu.Int8LinearU8(y, x, batch, weight, input, output, C(bias), epilogue);

    public ActivationQuantization FakeQuantize(Tensor y, Tensor x, ActivationQuantization? quantization = null) =>
        Cpu.FakeQuantize(C(y), C(x), quantization);

    public void FakeQuantizeBackward(Tensor dx, Tensor x, Tensor dy, ActivationQuantization quantization) =>
        Cpu.FakeQuantizeBackward(C(dx), C(x), C(dy), quantization);

    public void FakeQuantizeRows(Tensor y, Tensor x) => Cpu.FakeQuantizeRows(C(y), C(x));

    // The same memory seen as a CPU tensor, for the kernel call only; a tensor of another backend is refused, as a
    // device backend would refuse it.
    private Tensor C(Tensor t)
    {
        if (t.IsEmpty) return default;
        if (t.Storage is not HostlessStorage h || !ReferenceEquals(h.Backend, this))
            throw new InvalidOperationException($"The tensor {t.Shape} lives on backend '{t.Backend.Name}', not on '{Name}'.");
        return new Tensor(new CpuStorage(Cpu, h.Values), t.Shape, t.Offset);
    }

    // The same ints seen as a CPU int tensor, for the kernel call only; an int tensor of another backend is refused.
    private IntTensor C(IntTensor t)
    {
        if (t.IsEmpty) return default;
        if (t.Storage is not HostlessIntStorage h || !ReferenceEquals(h.Backend, this))
            throw new InvalidOperationException($"The int tensor of {t.Length} lives on backend '{t.Backend.Name}', not on '{Name}'.");
        return new IntTensor(new CpuIntStorage(Cpu, h.Values), t.Offset, t.Length);
    }

    private sealed class HostlessIntStorage(ICompute backend, int[] values) : IntStorage(backend, values.Length)
    {
        public int[] Values { get; } = values;
    }

    private sealed class HostlessStorage(ICompute backend, float[] values) : Storage(backend, values.Length)
    {
        public float[] Values { get; } = values;
    }
}
