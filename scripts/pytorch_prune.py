"""The pruned stage of scripts/experiment_distill_pytorch.py: PyTorch's own pruning of a distilled student.

`tinykd pipeline` prunes each seed's distilled student to each sparsity of --prune and fine-tunes it with the same
distillation objective (docs/pruning.md). The PyTorch reference does the same with torch.nn.utils.prune as it ships:

  Prune      a deep copy of the distilled student (the original is left unchanged); one-shot
             prune.global_unstructured over the weights of every Linear but the last (the output layer stays dense,
             as in TinyKd), pruning_method=prune.L1Unstructured, amount=sparsity: one global ranking of |w| over those
             layers, exactly round(sparsity · weights) of them set to zero (biases are never pruned).
  Fine-tune  the caller's training function (the script's train(): the same KD loss, T, α, cached teacher logits,
             transfer set, a fresh Adam lr 1e-3, the cosine schedule, batch 128, best validation epoch kept). The
             forward pre-hook torch prune installs computes weight = weight_orig · weight_mask before every forward,
             so a pruned weight is 0 in every forward pass and its gradient is 0 (weight_orig's pruned entries get a
             zero gradient, so a fresh Adam never moves them either).
  Permanent  prune.remove folds the mask into a plain dense weight parameter.

What it does NOT do, unlike TinyKd: torch.nn.utils.prune has no sparse storage or kernels, so the pruned model is a
dense model with zeros: torch.save of its state_dict is as large as the dense student's, and it runs the same dense
GEMM/GEMV at the same speed. The report says so; its parameter count is the number of nonzero weights and biases.

torch is imported by the calling script (after OPENBLAS_NUM_THREADS is set), so this module imports it lazily.
"""
import copy
import statistics
import time

PRUNE_SPARSITIES = (0.5, 0.8, 0.9, 0.95)  # --prune default, as `tinykd pipeline`
THROUGHPUT_BATCH, THROUGHPUT_CALLS = 256, 20  # samples/s at batch 256: median of 20 timed forwards (as TinyKd)
THROUGHPUT_WARMUP_SECONDS, THROUGHPUT_WARMUP_CALLS = 0.25, THROUGHPUT_CALLS // 5


def pruned_name(sparsity):
    """The report row's name, as TinyKd writes it: 0.9 -> "student pruned 90%", 0.955 -> "student pruned 95.5%"."""
    return f"student pruned {round(sparsity * 100, 1):g}%"


def pruned_settings(epochs):
    """The settings cell of a pruned row: how it was pruned and what its bytes and parameters mean."""
    return (f"torch prune: global L1, one-shot, KD fine-tune {epochs} epoch{'' if epochs == 1 else 's'}; "
            f"bytes of the dense state_dict; parameters = nonzero weights + biases")


def prunable_layers(model):
    """Every Linear of the model but the last (the output layer, kept dense)."""
    import torch
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return linears[:-1] if len(linears) > 1 else linears


def prune_global_l1(model, sparsity):
    """One-shot global magnitude pruning of the prunable layers' weights, in place (masks + forward pre-hooks)."""
    from torch.nn.utils import prune
    prune.global_unstructured([(layer, "weight") for layer in prunable_layers(model)],
                              pruning_method=prune.L1Unstructured, amount=sparsity)


def make_permanent(model):
    """prune.remove on every pruned weight: the masked weight becomes a plain parameter (zeros included)."""
    from torch.nn.utils import prune
    for layer in prunable_layers(model):
        if prune.is_pruned(layer):
            prune.remove(layer, "weight")


def layer_sparsity(model):
    """The fraction of zero weights in the prunable layers (all Linear layers but the output layer): TinyKd's
    `sparsity`. Reads the effective weight, so it works before and after prune.remove; 0.0 for a dense trained model."""
    zeros = total = 0
    for layer in prunable_layers(model):
        weight = layer.weight.detach()
        zeros += int((weight == 0).sum())
        total += weight.numel()
    return zeros / total if total else 0.0


def nonzero_parameters(model):
    """Nonzero entries of every weight and bias: the parameters a pruned model really needs."""
    return sum(int((p.detach() != 0).sum()) for p in model.parameters())


def samples_per_second(model, x, batch=THROUGHPUT_BATCH, calls=THROUGHPUT_CALLS):
    """Throughput at batch `batch`: samples per second of one no-grad eval-mode forward over a block of `batch` rows of
    x (cycled when x has fewer), from the median of `calls` timed forwards after a warm-up of at least a quarter
    second and calls/5 forwards (TinyKd's InferenceLatency.SamplesPerSecond)."""
    import torch
    block = x[torch.arange(batch) % x.shape[0]].contiguous()
    model.eval()
    times = []
    with torch.no_grad():
        warmup_end = time.perf_counter() + THROUGHPUT_WARMUP_SECONDS
        i = 0
        while i < THROUGHPUT_WARMUP_CALLS or time.perf_counter() < warmup_end:
            model(block).argmax(1)
            i += 1
        for _ in range(calls):
            begin = time.perf_counter_ns()
            model(block).argmax(1)
            times.append((time.perf_counter_ns() - begin) / 1e9)
    return batch / statistics.median(times)


def prune_and_finetune(distilled, sparsity, finetune):
    """A deep copy of `distilled` pruned to `sparsity` (global L1, one-shot), fine-tuned by finetune(model) -> (curve,
    best epoch index, seconds) with the masks in place, then made permanent. Returns (pruned model, curve, best epoch
    index, seconds of pruning + fine-tuning). `distilled` itself is not changed."""
    started = time.perf_counter()
    model = copy.deepcopy(distilled)
    prune_global_l1(model, sparsity)
    curve, best_epoch, _ = finetune(model)
    make_permanent(model)
    model.eval()
    return model, curve, best_epoch, time.perf_counter() - started


def pruning_cost(name, sparsities, distilled_accuracies, pruned_accuracies):
    """TinyKd's PruningCost: per-seed paired (pruned − distilled) test accuracy in points, its mean and sample std (0
    for one seed), and the mean sparsity over the seeds."""
    changes = [100 * (p - d) for d, p in zip(distilled_accuracies, pruned_accuracies)]
    return {"model": name, "sparsity": statistics.fmean(sparsities), "changePoints": statistics.fmean(changes),
            "spreadPoints": statistics.stdev(changes) if len(changes) > 1 else 0.0}


def signed(value):
    """TinyKd's ReportText.Signed: two decimals, an explicit sign, no "-0.00"."""
    text = f"{value:.2f}"
    if text == "-0.00":
        text = "0.00"
    return text if text.startswith("-") else "+" + text


def cost_line(cost):
    """TinyKd's Markdown line for a PruningCost (ReportText.PruningCost), without the leading "- "."""
    return f"{cost['model']} vs student distilled: {signed(cost['changePoints'])} pp (seed spread {cost['spreadPoints']:.2f} pp)"
