namespace TinyKd.Tensors;

/// <summary>
/// The compute seam: every primitive the tensor ops and autograd need, implemented once per backend (managed CPU
/// code here, ILGPU in src/Kernels.Gpu). All tensors passed to one call must belong to this backend and are
/// contiguous and row-major. "Accumulate" means the result is added to the destination instead of replacing it,
/// which is what every backward pass does.
/// </summary>
/// <remarks>
/// Dimension letters: M, N, K for GEMM (C is M×N, the shared dimension is K); B = rows (batch), C = classes/columns.
/// The binary elementwise ops broadcast as PyTorch does (<see cref="Shape.TryBroadcast"/>): shapes are aligned at
/// their last dimension and a size-1 or missing dimension of either operand is repeated, so [B, C] ∘ [C] applies a
/// bias row to every row, [B, C] ∘ [B, 1] a column to every column, and [B, 1, C] ∘ [1, A, 1] gives [B, A, C].
/// <see cref="SumTo"/> is the backward of that repetition.
/// Labels, embedding indices, bag offsets and row lists are <see cref="IntTensor"/>s of the backend, uploaded once per
/// batch where the batch enters (never inside a step). The CPU backend checks their values (it reads them in place); a
/// device backend cannot without a transfer and checks only their lengths, so out-of-range values must be caught where
/// the host made them.
/// </remarks>
public interface ICompute
{
    /// <summary>A short name shown in messages, e.g. "cpu".</summary>
    string Name { get; }

    /// <summary>Allocates <paramref name="length"/> zero-filled floats on this backend.</summary>
    Storage Allocate(int length);

    /// <summary>Copies host numbers into <paramref name="destination"/> (lengths must match).</summary>
    void CopyFromHost(Tensor destination, ReadOnlySpan<float> source);

    /// <summary>Copies the numbers of <paramref name="source"/> to host memory (lengths must match).</summary>
    void CopyToHost(Tensor source, Span<float> destination);

    /// <summary>Allocates <paramref name="length"/> zero-filled ints on this backend (labels, indices, offsets).</summary>
    IntStorage AllocateInts(int length);

    /// <summary>Copies host ints into <paramref name="destination"/> (lengths must match): the once-per-batch upload of labels and indices.</summary>
    void CopyFromHost(IntTensor destination, ReadOnlySpan<int> source);

    /// <summary>Copies the ints of <paramref name="source"/> to host memory (lengths must match).</summary>
    void CopyToHost(IntTensor source, Span<int> destination);

    /// <summary>y = x (same length), or y += x when <paramref name="accumulate"/>.</summary>
    void Copy(Tensor y, Tensor x, bool accumulate = false);

    /// <summary>Sets every element of <paramref name="y"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor y, float value);

    /// <summary>
    /// C = α·op(A)·op(B) + β·C, then C += bias (one value per column, broadcast over rows) and the epilogue
    /// activation. op(A) is M×K, op(B) is K×N, C is M×N; A and B are read transposed in place when asked.
    /// </summary>
    void Gemm(Tensor c, Tensor a, Transpose transposeA, Tensor b, Transpose transposeB,
        float alpha = 1f, float beta = 0f, Tensor bias = default, Epilogue epilogue = Epilogue.None);

    /// <summary>
    /// Two independent products, c1 = op(a1)·op(b1) + β1·c1 and c2 = op(a2)·op(b2) + β2·c2 (α = 1, no bias or
    /// epilogue), which must not overlap: a layer's dX and dW in backward. The numbers of the two
    /// <see cref="Gemm"/> calls; the default makes them, a device runs both in one launch.
    /// </summary>
    void GemmPair(Tensor c1, Tensor a1, Transpose transposeA1, Tensor b1, Transpose transposeB1, float beta1,
        Tensor c2, Tensor a2, Transpose transposeA2, Tensor b2, Transpose transposeB2, float beta2)
    {
        Gemm(c1, a1, transposeA1, b1, transposeB1, 1f, beta1);
        Gemm(c2, a2, transposeA2, b2, transposeB2, 1f, beta2);
    }

    /// <summary>
    /// A Linear layer's forward with a sparse weight: y [B, Out] = x [B, In] · Wᵀ, then y += bias (one value per column)
    /// and the epilogue activation — what <see cref="Gemm"/> computes for x·Wᵀ with W dense, the zeros skipped. W is
    /// host data (its arrays are what a model file stores).
    /// </summary>
    /// <exception cref="ArgumentException">x is not [B, W.Columns], y not [B, W.Rows], or bias not W.Rows long; the
    /// message names the shapes.</exception>
    void SparseLinear(Tensor y, Tensor x, SparseMatrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None);

    /// <summary>
    /// A Linear layer's forward with a pruned int8 weight: y [B, Out] = x [B, In] · Wᵀ + bias (then the epilogue
    /// activation), W a <see cref="SparseInt8Matrix"/> (blocked 8×1, 7-bit values, per-channel scales). x is quantized to
    /// u8 with <paramref name="activation"/> (or, when null, dynamically from its own min/max), the kept blocks are
    /// multiplied with exact int32 sums, and the sums rescaled by s_x·s_w[o]. The result does not depend on the kernel
    /// path or the thread count.
    /// </summary>
    /// <exception cref="ArgumentException">x is not [B, W.Columns], y not [B, W.Rows], or bias not W.Rows long (the
    /// message names the shapes); or x holds a NaN or an infinity under dynamic quantization.</exception>
    void SparseInt8Linear(Tensor y, Tensor x, SparseInt8Matrix weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null);

    /// <summary>y = f(x) elementwise; <paramref name="parameter"/> is the LeakyReLU slope.</summary>
    void Unary(UnaryOp op, Tensor y, Tensor x, float parameter = 0f);

    /// <summary>
    /// dx += f'(x)·dy elementwise, given x and y = f(x); with <paramref name="accumulate"/> false, dx = f'(x)·dy (a
    /// gradient written for the first time in a backward pass needs no zero-fill first).
    /// </summary>
    void UnaryBackward(UnaryOp op, Tensor dx, Tensor x, Tensor y, Tensor dy, float parameter = 0f, bool accumulate = true);

    /// <summary>
    /// y = a ∘ b (or y += a ∘ b) elementwise with PyTorch's broadcasting: either operand may have fewer dimensions or
    /// size 1 where the other does not, and is repeated along them (see <see cref="Shape.TryBroadcast"/>). y must have
    /// exactly the broadcast shape, and may be a or b only when that operand has it too.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes of a and b do not broadcast (the message names both), or y's
    /// shape is not the broadcast shape.</exception>
    void Binary(BinaryOp op, Tensor y, Tensor a, Tensor b, bool accumulate = false);

    /// <summary>
    /// The backward of broadcasting, PyTorch's <c>sum_to_size</c>: y = scale · (x summed over every dimension along
    /// which y's shape is broadcast to x's — the dimensions y lacks and those where y has size 1 and x more), or
    /// y += it. With y of x's shape it is y = scale·x.
    /// </summary>
    /// <exception cref="ArgumentException">y's shape does not broadcast to exactly x's shape.</exception>
    void SumTo(Tensor y, Tensor x, float scale = 1f, bool accumulate = false);

    /// <summary>y = α·x + β·y (same length).</summary>
    void Axpby(Tensor y, Tensor x, float alpha, float beta);

    /// <summary>
    /// y = scale · reduce(x) along <paramref name="axis"/> (y has x's shape without that axis), or y += it.
    /// </summary>
    void Reduce(ReduceOp op, Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false);

    /// <summary>
    /// The backward of a ReLU layer's activation and of its bias together (<c>Ops.LinearRelu</c>): dpre = dy where y &gt; 0,
    /// else 0, written over <paramref name="dpre"/> (as <see cref="UnaryBackward"/> with <see cref="UnaryOp.Relu"/>), and
    /// <paramref name="columnSums"/> (=, or += with <paramref name="accumulateSums"/>) the sums of dpre over the rows, the
    /// bias gradient (as <see cref="Reduce"/> along axis 0). y, dy, dpre: [B, N]; columnSums: [N]. The default makes the
    /// two calls; a device does both in one pass and one launch.
    /// </summary>
    void ReluBackwardWithColumnSums(Tensor dpre, Tensor y, Tensor dy, Tensor columnSums, bool accumulateSums)
    {
        UnaryBackward(UnaryOp.Relu, dpre, y, y, dy, accumulate: false);
        Reduce(ReduceOp.Sum, columnSums, dpre, 0, accumulate: accumulateSums);
    }

    /// <summary>The inverse of a sum along <paramref name="axis"/>: y[o, a, i] = scale·x[o, i] (or +=).</summary>
    void BroadcastAxis(Tensor y, Tensor x, int axis, float scale = 1f, bool accumulate = false);

    /// <summary>
    /// Index of the largest element of every row (the last axis) of <paramref name="x"/> (the first on ties, a NaN
    /// wins), written into <paramref name="indices"/>, an int tensor of this backend with one entry per row: the host
    /// reads them with one <see cref="CopyToHost(IntTensor, Span{int})"/> where it needs them.
    /// </summary>
    void ArgMax(Tensor x, IntTensor indices);

    /// <summary>y = transpose of the last two axes of x (or +=).</summary>
    void TransposeLastTwo(Tensor y, Tensor x, bool accumulate = false);

    /// <summary>
    /// Copies <paramref name="count"/> slices along <paramref name="axis"/>: y[.., yStart + k, ..] = x[.., xStart + k, ..]
    /// (or +=). The two tensors agree on every other dimension. Concatenation and its backward are built on this.
    /// </summary>
    void CopyAlongAxis(Tensor y, int yStart, Tensor x, int xStart, int count, int axis, bool accumulate = false);

    /// <summary>Row-wise y = softmax(x / T), or log-softmax when <paramref name="log"/>; numerically stable.</summary>
    void Softmax(Tensor y, Tensor x, float temperature, bool log);

    /// <summary>dx += ∂/∂x of the row softmax (or log-softmax) y = f(x / T) applied to dy.</summary>
    void SoftmaxBackward(Tensor dx, Tensor y, Tensor dy, float temperature, bool log);

    /// <summary>
    /// loss[0] = −mean over rows of ((1−ε)·logp[r, label_r] + ε/C·Σ_c logp[r, c]), the negative log-likelihood with
    /// label smoothing ε. Rows labelled <see cref="ComputeChecks.Unlabelled"/> are skipped and the mean is over the
    /// other rows (0 when there are none).
    /// </summary>
    /// <param name="loss">One element, written.</param>
    /// <param name="logProbabilities">[B, C] log-probabilities (a log-softmax of the logits).</param>
    /// <param name="labels">B labels in [0, C) or <see cref="ComputeChecks.Unlabelled"/>, on this backend.</param>
    /// <param name="smoothing">The label smoothing ε in [0, 1].</param>
    /// <param name="labelledCount">
    /// When not empty: a one-element tensor of this backend that receives the number of labelled rows (as a float),
    /// for <see cref="SoftmaxCrossEntropyBackward"/>, which then need not count them again.
    /// </param>
    /// <param name="weight">A factor the loss is multiplied by (after the mean), so a weighted term of a sum of losses
    /// needs no scaling pass of its own; 1 by default.</param>
    /// <exception cref="ArgumentException">A tensor lives on another backend, or <paramref name="labelledCount"/> is
    /// neither empty nor one element.</exception>
    void NllLoss(Tensor loss, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor labelledCount = default, float weight = 1f);

    /// <summary>
    /// The fused backward of log-softmax + NLL: dlogits += (scale[0]·factor)·(softmax − target)/B where target is the smoothed
    /// one-hot row; B counts the labelled rows only, and unlabelled rows (<see cref="ComputeChecks.Unlabelled"/>) get
    /// no gradient. <paramref name="scale"/> is a one-element tensor of this backend (the loss's gradient), read by
    /// the kernel where it lives, so a backward pass never copies it to the host. With <paramref name="accumulate"/>
    /// false the gradient is written over dLogits (unlabelled rows, and every row of a batch without labels, get 0).
    /// </summary>
    /// <param name="dLogits">[B, C], added into (or written over).</param>
    /// <param name="logProbabilities">[B, C] the log-probabilities the forward computed.</param>
    /// <param name="labels">B labels in [0, C) or <see cref="ComputeChecks.Unlabelled"/>, on this backend.</param>
    /// <param name="smoothing">The label smoothing ε of the forward.</param>
    /// <param name="scale">One element: the loss's gradient.</param>
    /// <param name="accumulate">Add into <paramref name="dLogits"/> (true) or write over it.</param>
    /// <param name="labelledCount">
    /// The count <see cref="NllLoss"/> wrote for these labels (a one-element tensor of this backend), so B is not
    /// counted again; when empty, B is counted here.
    /// </param>
    /// <param name="factor">The weight the forward multiplied the loss by (<see cref="NllLoss"/>); 1 by default.</param>
    /// <exception cref="ArgumentException">A tensor lives on another backend, shapes disagree, or
    /// <paramref name="scale"/> or a non-empty <paramref name="labelledCount"/> is not one element.</exception>
    void SoftmaxCrossEntropyBackward(Tensor dLogits, Tensor logProbabilities, IntTensor labels, float smoothing, Tensor scale,
        bool accumulate = true, Tensor labelledCount = default, float factor = 1f);

    /// <summary>
    /// The distillation loss and its gradients in one kernel over the logits (row-wise over the last axis, B rows):
    /// loss[0] = batch-mean KL(softmax(t/T) ‖ softmax(s/T)), PyTorch's
    /// <c>kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean')</c>, and the gradients of that loss for a unit
    /// output gradient are written (not added): dStudent = (ps − pt)/(T·B) and, unless <paramref name="dTeacher"/> is
    /// empty, dTeacher = pt·((log pt − log ps) − KL_r)/(T·B), KL_r being row r's divergence. A backward pass adds them
    /// scaled by the loss's gradient. It replaces two log-softmaxes, a KL reduction and its backward; that composed
    /// form stays in <c>Cpu.LossReference</c>, which tests compare it with.
    /// </summary>
    /// <param name="loss">One element, written.</param>
    /// <param name="dStudent">The student gradient, the logits' shape, written; required (a backend may use it as scratch).</param>
    /// <param name="dTeacher">The teacher gradient, the logits' shape, written; may be empty (default).</param>
    /// <param name="studentLogits">s, [B, C].</param>
    /// <param name="teacherLogits">t, the shape of s.</param>
    /// <param name="temperature">T, finite and &gt; 0.</param>
    /// <param name="weight">A factor the loss is multiplied by (after the batch mean; the gradients stay those of the
    /// unweighted loss, which a backward pass scales by the weight with the loss's gradient); 1 by default.</param>
    void KlDivergenceWithGradient(Tensor loss, Tensor dStudent, Tensor dTeacher, Tensor studentLogits, Tensor teacherLogits,
        float temperature, float weight = 1f);

    /// <summary>loss[0] = mean of max(x, 0) − x·y + log(1 + e^−|x|): binary cross-entropy on logits x, targets y.</summary>
    void BceWithLogits(Tensor loss, Tensor logits, Tensor targets);

    /// <summary>
    /// dlogits += scale[0]·(σ(x) − y)/N and, when given, dtargets += scale[0]·(−x)/N; <paramref name="scale"/> is a
    /// one-element tensor of this backend (the loss's gradient).
    /// </summary>
    void BceWithLogitsBackward(Tensor dLogits, Tensor dTargets, Tensor logits, Tensor targets, Tensor scale);

    /// <summary>
    /// result[0] = scale·Σ x² (MSE, norms). <paramref name="result"/> may be one element of a larger tensor (a view at
    /// an offset), so that several sums land in one buffer and reach the host in one copy.
    /// </summary>
    void SumOfSquares(Tensor result, Tensor x, float scale);

    /// <summary>
    /// <see cref="SumOfSquares"/> of several tensors, result i into element i of <paramref name="results"/> (a tensor of
    /// this backend with one element per tensor): the per-parameter squared norms of <c>clip_grad_norm_</c>. The same
    /// numbers as one call each; the default makes those calls, a device reduces the tensors in one launch.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="results"/> does not have one element per tensor.</exception>
    void SumsOfSquares(ReadOnlySpan<Tensor> tensors, Tensor results, float scale)
    {
        if (results.Length != tensors.Length)
            throw new ArgumentException($"{tensors.Length} tensors need {tensors.Length} results; got shape {results.Shape}.", nameof(results));
        for (int i = 0; i < tensors.Length; i++) SumOfSquares(new Tensor(results.Storage, new Shape(1), results.Offset + i), tensors[i], scale);
    }

    /// <summary>
    /// x ← factor·x for each tensor (<c>clip_grad_norm_</c>'s rescaling), exactly as <see cref="Axpby"/>(x, x, factor, 0)
    /// each; the default makes those calls, a device scales the tensors in one launch.
    /// </summary>
    void ScaleAll(ReadOnlySpan<Tensor> tensors, float factor)
    {
        foreach (Tensor t in tensors) Axpby(t, t, factor, 0f);
    }

    /// <summary>
    /// y += (factor·scale[0]/divisor)·x (same length), the coefficient rounded in that order: a gradient term scaled by
    /// a loss's gradient <paramref name="scale"/>, a one-element tensor of this backend that the kernel reads where it
    /// lives (<see cref="Axpby"/> would need it on the host). When <paramref name="accumulate"/> is false y is
    /// assigned instead (its old contents, even NaN, are not read): a gradient's first term needs no zero-fill.
    /// </summary>
    void ScaledAdd(Tensor y, Tensor x, Tensor scale, float factor = 1f, float divisor = 1f, bool accumulate = true);

    /// <summary>
    /// Fills <paramref name="mask"/> with 0 (probability p) or 1/(1−p) from a counter-based generator keyed by
    /// (<paramref name="seed"/>, <paramref name="stream"/>, element index): the same key gives the same mask on every
    /// backend and thread count.
    /// </summary>
    void DropoutMask(Tensor mask, float p, ulong seed, ulong stream);

    /// <summary>
    /// Embedding lookup: y[b] = the sum (or the mean when <paramref name="mean"/>) of the table rows
    /// <paramref name="indices"/>[j] for j in bag b = [offsets[b], offsets[b + 1]). With empty
    /// <paramref name="offsets"/> every index is its own bag (a plain gather, y[j] = table[indices[j]]). An empty bag
    /// gives a zero row. table: [R, D], y: [bags, D]; offsets has bags + 1 entries, starts at 0 and ends at the index count.
    /// </summary>
    void EmbeddingForward(Tensor y, Tensor table, IntTensor indices, IntTensor offsets, bool mean);

    /// <summary>
    /// The backward of <see cref="EmbeddingForward"/> into a compact row gradient: rows[slots[j]] += dy[b] (times
    /// 1/|bag b| when <paramref name="mean"/>) for every index j of bag b. <paramref name="slots"/> names, for each
    /// index, the row of <paramref name="rows"/> that collects it (the table row itself for a dense gradient, or its
    /// place in a list of touched rows for a sparse one). rows: [S, D], dy: [bags, D].
    /// </summary>
    void EmbeddingBackward(Tensor rows, IntTensor slots, Tensor dy, IntTensor offsets, bool mean);

    /// <summary>
    /// <see cref="EmbeddingBackward(Tensor, IntTensor, Tensor, IntTensor, bool)"/> given also the indices grouped by
    /// slot, which the caller knows from making the slots: <paramref name="slotGroups"/> is [S + 1 + N] for S slots and
    /// N indices, the group starts (S + 1) then, slot after slot, the bag of each index of that slot in increasing index
    /// order. A device uses it to sum one (slot, column) element per thread, in the order of the plain form, so the
    /// result is the same bit for bit; the default ignores it.
    /// </summary>
    void EmbeddingBackward(Tensor rows, IntTensor slots, IntTensor slotGroups, Tensor dy, IntTensor offsets, bool mean) =>
        EmbeddingBackward(rows, slots, dy, offsets, mean);

    /// <summary>
    /// Lazy (sparse) Adam, PyTorch's <c>SparseAdam</c>: only the listed rows of <paramref name="parameter"/> and of its
    /// moments move. For k-th listed row r with gradient g = rowGradients[k]: m_r += (1−β1)(g − m_r),
    /// v_r += (1−β2)(g² − v_r), p_r −= lr·√(1−β2^t)/(1−β1^t) · m_r/(√v_r + ε). Weight decay must be 0.
    /// parameter, m, v: [R, D]; rowGradients: at least rows.Length rows of D.
    /// </summary>
    void SparseAdamUpdate(Tensor parameter, IntTensor rows, Tensor rowGradients, Tensor m, Tensor v, AdamStep step);

    /// <summary>One fused Adam/AdamW update of a parameter and its two moment buffers.</summary>
    void AdamUpdate(Tensor parameter, Tensor gradient, Tensor m, Tensor v, AdamStep step);

    /// <summary>
    /// The same Adam/AdamW step on several parameters, PyTorch's multi-tensor (<c>foreach</c>) Adam: every element gets
    /// exactly the numbers of <see cref="AdamUpdate(Tensor, Tensor, Tensor, Tensor, AdamStep)"/>, and a device updates
    /// the tensors in as few kernel launches as it can instead of one per parameter. The default makes one call per
    /// entry.
    /// </summary>
    void AdamUpdate(ReadOnlySpan<AdamTensors> tensors, AdamStep step)
    {
        foreach (AdamTensors t in tensors) AdamUpdate(t.Parameter, t.Gradient, t.M, t.V, step);
    }

    /// <summary>One fused SGD update; <paramref name="momentumBuffer"/> is ignored when momentum is 0.</summary>
    void SgdUpdate(Tensor parameter, Tensor gradient, Tensor momentumBuffer, SgdStep step);

    /// <summary>
    /// The same SGD step on several parameters (PyTorch's multi-tensor SGD), exactly the numbers of
    /// <see cref="SgdUpdate(Tensor, Tensor, Tensor, SgdStep)"/> per entry, in as few launches as a device can. The
    /// default makes one call per entry.
    /// </summary>
    void SgdUpdate(ReadOnlySpan<SgdTensors> tensors, SgdStep step)
    {
        foreach (SgdTensors t in tensors) SgdUpdate(t.Parameter, t.Gradient, t.MomentumBuffer, step);
    }

    /// <summary>
    /// The int8 Linear forward y = x·Wᵀ + b (then the epilogue activation) with W an <see cref="Int8LinearWeight"/>:
    /// x [B, In] is quantized to u8 with <paramref name="activation"/> (or, when null, dynamically from its own
    /// min/max), multiplied by the 7-bit weights with int32 accumulation, and rescaled by s_x·s_w[o]. y: [B, Out],
    /// bias: Out values or empty.
    /// </summary>
    void Int8Linear(Tensor y, Tensor x, Int8LinearWeight weight, Tensor bias = default, Epilogue epilogue = Epilogue.None,
        ActivationQuantization? activation = null);

    /// <summary>
    /// <see cref="Int8Linear"/> on activations already quantized: x holds B rows of u8 codes in
    /// <paramref name="input"/>'s quantization, <see cref="Int8LinearWeight.PaddedInFeatures"/> bytes apart (the first In
    /// of each are the codes), and y [B, Out] is the float result — the same floats <see cref="Int8Linear"/> gives for
    /// the fp32 x those codes came from. The last layer of an int8 chain.
    /// </summary>
    /// <exception cref="ArgumentException">y is not [B, Out], x is not B·PaddedInFeatures bytes, or bias not Out long.</exception>
    void Int8LinearU8(Tensor y, ReadOnlySpan<byte> x, Int8LinearWeight weight, ActivationQuantization input, Tensor bias = default,
        Epilogue epilogue = Epilogue.None);

    /// <summary>
    /// The int8 → int8 Linear of a statically quantized chain: as the overload with a float y, but the epilogue
    /// requantizes — y_u8[b, o] = clamp(round((acc·(s_x·s_w[o]) + b[o])·(1/s_y)) + z_y, lo, 255), rounding to nearest
    /// even, with (s_y, z_y) = <paramref name="output"/> (the next layer's input quantization) and lo = z_y under
    /// <see cref="Epilogue.Relu"/> (ReLU is the clamp at the zero point), 0 otherwise. The codes equal those the next
    /// layer's quantizer would give for <see cref="Int8Linear"/>'s float y, bit for bit, on every path and thread count.
    /// y holds <paramref name="batch"/> rows of <see cref="Int8LinearWeight.ActivationStride"/>(Out) bytes.
    /// </summary>
    /// <exception cref="ArgumentException">x or y is not <paramref name="batch"/> rows of its stride, or bias not Out long.</exception>
    void Int8LinearU8(Span<byte> y, ReadOnlySpan<byte> x, int batch, Int8LinearWeight weight, ActivationQuantization input,
        ActivationQuantization output, Tensor bias = default, Epilogue epilogue = Epilogue.None);
    /// <summary>
    /// Fake quantization of activations, the forward of quantization-aware training: y = (q − z)·s with q = clamp(round(x/s)
    /// + z, 0, 255), the value an int8 layer's kernel sees for x — the same arithmetic as <see cref="Int8Linear"/>'s
    /// quantizer, bit for bit. With <paramref name="quantization"/> null the range is x's own min and max
    /// (<see cref="ActivationQuantization.FromData"/>, dynamic int8). Returns the quantization used.
    /// </summary>
    /// <exception cref="ArgumentException">x and y differ in length, or x holds a NaN or an infinity.</exception>
    ActivationQuantization FakeQuantize(Tensor y, Tensor x, ActivationQuantization? quantization = null);

    /// <summary>
    /// The straight-through backward of <see cref="FakeQuantize"/>: dx += dy where round(x/s) + z lies in [0, 255] (the
    /// rounding is taken as the identity), and nothing where the code was clamped (the output does not move with x there).
    /// </summary>
    void FakeQuantizeBackward(Tensor dx, Tensor x, Tensor dy, ActivationQuantization quantization);

    /// <summary>
    /// Fake quantization of a weight [Out, In], row by row: y = q·scale with the codes and scales of
    /// <see cref="Int8LinearWeight.Quantize"/> (7-bit, symmetric, scale = max |row| / 64), so y is exactly the weight an
    /// int8 layer quantized from x computes with. Its straight-through backward is the identity (no code is clamped).
    /// </summary>
    /// <exception cref="ArgumentException">x is not rank 2, y has another shape, or x holds a NaN or an infinity (the
    /// message names the row).</exception>
    void FakeQuantizeRows(Tensor y, Tensor x);
}
