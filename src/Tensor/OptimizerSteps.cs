namespace TinyKd.Tensors;

/// <summary>The hyper-parameters of one Adam/AdamW step.</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">Decay of the first moment.</param>
/// <param name="Beta2">Decay of the second moment.</param>
/// <param name="Epsilon">Added to √v̂ for stability.</param>
/// <param name="WeightDecay">L2 penalty (Adam) or decoupled decay (AdamW).</param>
/// <param name="Decoupled">True for AdamW: decay the weights directly instead of adding to the gradient.</param>
/// <param name="Step">The 1-based step count used for bias correction.</param>
public readonly record struct AdamStep(
    float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, bool Decoupled, long Step);

/// <summary>One parameter of a multi-tensor Adam update: the parameter, its gradient and its two moment buffers.</summary>
/// <param name="Parameter">The weights, updated in place.</param>
/// <param name="Gradient">Their gradient.</param>
/// <param name="M">The first moment, updated in place.</param>
/// <param name="V">The second moment, updated in place.</param>
public readonly record struct AdamTensors(Tensor Parameter, Tensor Gradient, Tensor M, Tensor V);

/// <summary>The hyper-parameters of one SGD step (PyTorch's semantics).</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Momentum">Momentum factor (0 disables the buffer).</param>
/// <param name="Dampening">Dampening of the gradient added to the momentum buffer.</param>
/// <param name="Nesterov">Use Nesterov momentum.</param>
/// <param name="WeightDecay">L2 penalty added to the gradient.</param>
/// <param name="FirstStep">True on the first step, when the momentum buffer is initialised with the gradient.</param>
public readonly record struct SgdStep(
    float LearningRate, float Momentum, float Dampening, bool Nesterov, float WeightDecay, bool FirstStep);

/// <summary>One parameter of a multi-tensor SGD update.</summary>
/// <param name="Parameter">The weights, updated in place.</param>
/// <param name="Gradient">Their gradient.</param>
/// <param name="MomentumBuffer">The momentum buffer, updated in place (ignored, and may be empty, when momentum is 0).</param>
public readonly record struct SgdTensors(Tensor Parameter, Tensor Gradient, Tensor MomentumBuffer);
