"""The int8 stage of scripts/experiment_distill_pytorch.py: PyTorch's own dynamic int8 quantization of a student.

`tinykd pipeline` quantizes each seed's chosen distilled student, and its pruned copy at the largest sparsity ≤ 90 %
(the same rule as TinyKd's Int8PrunedSparsity), after training: 7-bit weights per output row, u8 activations from each
call's own range (docs/quantization.md). The PyTorch reference does the same with what PyTorch ships for it:

  Quantize   torch.ao.quantization.quantize_dynamic on a deep copy (the fp32 model is left unchanged), every
             nn.Linear → a dynamic quantized Linear: qint8 weights per tensor (PyTorch's default for dynamic
             quantization; TinyKd scales per output row), activations quantized per call from their own range, the
             fbgemm engine on x86 (7-bit activations via reduce_range).
  Measured   as every other row: test metrics, bytes of torch.save(state_dict) (int8 packed weights + scales),
             µs/sample at batch 1, samples/s at batch 256. Sparsity and nonzero parameters are those of the fp32 source
             (zeros stay zeros: the quantization is symmetric).

torch is imported by the calling script (after OPENBLAS_NUM_THREADS is set), so this module imports it lazily.
"""
import copy


def int8_sparsity(sparsities):
    """The pruned sparsity whose students are also quantized: the largest of at most 90 %, else the smallest; None when
    nothing is pruned (TinyKd's DistillationPipeline.Int8PrunedSparsity)."""
    if not sparsities:
        return None
    at_most_90 = [s for s in sparsities if s <= 0.9 + 1e-9]
    return max(at_most_90) if at_most_90 else min(sparsities)


def int8_name(pruned_name=None):
    """The report row's name, as TinyKd writes it: "student int8", or "<pruned row's name> int8"."""
    return f"{pruned_name} int8" if pruned_name else "student int8"


def int8_settings():
    """The settings cell of an int8 row."""
    return "torch quantize_dynamic: qint8 weights per tensor, dynamic activations, fbgemm; bytes of the int8 state_dict"


def quantize(model):
    """A dynamically quantized int8 copy of `model` (every nn.Linear), in eval mode; `model` itself is not changed."""
    import torch
    source = copy.deepcopy(model).eval()
    return torch.ao.quantization.quantize_dynamic(source, {torch.nn.Linear}, dtype=torch.qint8)
