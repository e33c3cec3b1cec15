using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Distill.Data;
using TinyKd.Distill.Training;
using TinyKd.Tensors;

namespace TinyKd.Distill.Distillation;

/// <summary>
/// The loss a student minimises against frozen teachers, per batch:
/// <code>
/// L = α·T²·KL(p̄_T ‖ softmax(s/T)) + (1 − α)·CE(s, y)      soft targets (Hinton et al.); CE over labelled rows only
///   + λ_logit·MSE(s, t̄)                                   logit matching
///   + λ_hint·MSE(W·h_s + b, h_t)                          FitNets hint, W learned
/// </code>
/// with T and α read from their schedules at the step's place in the run. s: student logits [B, C]; p̄_T, t̄: the
/// teachers' combined targets (<see cref="TeacherTargets"/>); h_s, h_t: the paired hidden layers.
/// </summary>
public sealed class DistillationObjective : ITrainingObjective, IDisposable
{
    private readonly Mlp _student;
    private readonly TeacherTargets _targets;
    private readonly DistillationOptions _options;
    private readonly int _batchSize;
    private readonly Graph? _hintGraph; // the hint teacher's, on its backend; it always runs in evaluation mode
    private readonly FeatureUpload? _hintUpload;

    /// <summary>Prepares to teach <paramref name="student"/> from <paramref name="teachers"/>.</summary>
    /// <param name="student">The student network (its hidden layers are needed for the hint).</param>
    /// <param name="teachers">One or more frozen teachers.</param>
    /// <param name="options">The loss terms; validated here.</param>
    /// <param name="batchSize">The training batch size (sizes the target buffers).</param>
    /// <param name="seed">Seeds the hint projection's initial weights.</param>
    /// <exception cref="ArgumentException">The hint pairs layers that do not exist, or its teacher is only logits.</exception>
    public DistillationObjective(Mlp student, IReadOnlyList<Teacher> teachers, DistillationOptions options, int batchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _student = student;
        _targets = new TeacherTargets(teachers);
        _options = options;
        _batchSize = batchSize;
        if (options.HintWeight > 0f && options.HintLayers is { } layers)
        {
            HintTeacher = teachers.FirstOrDefault(t => t.Model is not null)?.Model
                ?? throw new ArgumentException("The hint loss needs a teacher network, not only precomputed logits.", nameof(teachers));
            try
            {
                Hint = new HintLoss(student.HiddenWidth(layers.Student), HintTeacher.HiddenWidth(layers.Teacher), new Rng(seed ^ 0x48494E54UL));
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new ArgumentException($"--hint-layers {layers.Teacher}:{layers.Student}: {e.Message.Split(" (Parameter")[0]}", nameof(options), e);
            }
            Hint.To(student.Backend);
            _hintGraph = new Graph(HintTeacher.Backend, evaluationMode: true);
            _hintUpload = new FeatureUpload(HintTeacher.Backend);
        }
    }

    /// <summary>The hint loss with its learned projection, or null when the hint is off.</summary>
    public HintLoss? Hint { get; }

    /// <summary>The teacher network whose hidden layer the hint matches, or null.</summary>
    public Mlp? HintTeacher { get; }

    /// <summary>The teachers' targets.</summary>
    public TeacherTargets Targets => _targets;

    /// <inheritdoc />
    public IEnumerable<(string Name, Variable Parameter)> NamedParameters() =>
        Hint is null ? [] : Hint.NamedParameters().Select(p => ("hint." + p.Name, p.Parameter));

    /// <inheritdoc />
    public void Prepare(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (_student.Spec.OutputSize != train.Classes)
            throw new ArgumentException($"The student {_student.Spec} outputs {_student.Spec.OutputSize} classes but '{train.Name}' has {train.Classes}.", nameof(train));
        _targets.Prepare(train, _batchSize);
    }

    /// <summary>
    /// False when the temperature or α follows a schedule: the loss then measures something else as the run goes.
    /// </summary>
    public bool LossComparableAcrossRun =>
        _options.Temperature.Range.Min == _options.Temperature.Range.Max && _options.Alpha.Range.Min == _options.Alpha.Range.Max;

    /// <inheritdoc />
    public Variable Loss(Graph graph, Layer model, in Batch batch, in StepContext context, out Variable logits)
    {
        float temperature = _options.Temperature.At(context.Progress);
        float alpha = _options.Alpha.At(context.Progress);
        bool logitMatching = _options.LogitMatchingWeight > 0f;
        var (soft, mean) = _targets.For(batch, context.Augmented, temperature, logitMatching);
        Variable input = graph.Input(batch.Features);
        Variable? studentHidden = null;
        if (Hint is not null) logits = _student.Forward(input, _options.HintLayers!.Value.Student, out studentHidden);
        else logits = model.Forward(input);

        Variable loss = SoftTargetLoss.Compute(logits, graph.Input(soft), batch.LabelsOn(graph), temperature, alpha);
        if (logitMatching) loss += Ops.Scale(Losses.Mse(logits, graph.Input(mean)), _options.LogitMatchingWeight);
        if (Hint is not null) loss += Ops.Scale(Hint.Compute(studentHidden!, graph.Input(TeacherHidden(batch.Features))), _options.HintWeight);
        return loss;
    }

    /// <summary>The distillation settings, for logs and checkpoint fingerprints.</summary>
    public override string ToString() => $"distillation ({_options}) from {string.Join(", ", _targets.Teachers)}";

    private Tensor TeacherHidden(Tensor features)
    {
        _hintGraph!.Reset();
        using var _ = GradMode.NoGrad();
        HintTeacher!.Forward(_hintGraph.Input(_hintUpload!.Rows(features)), _options.HintLayers!.Value.Teacher, out Variable hidden);
        return hidden.Data;
    }

    /// <summary>
    /// Releases the device memory the objective made: the teachers' targets and forward buffers, the hint regressor and
    /// the hint teacher's graph (the student and the teachers stay). Idempotent.
    /// </summary>
    public void Dispose()
    {
        _targets.Dispose();
        Hint?.Dispose();
        _hintGraph?.Dispose();
        _hintUpload?.Dispose();
    }
}
