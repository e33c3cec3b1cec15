#!/usr/bin/env python3
"""Checks scripts/pytorch_prune.py (the pruned stage of experiment_distill_pytorch.py): global L1 pruning reaches the
exact sparsity over the hidden layers with one ranking across them and leaves the output layer dense, pruned weights
stay 0 through fine-tuning with the script's own train() and after prune.remove, the report helpers; then a smoke run
of the experiment script (--quick, all labels only) and the pruning and int8 fields of its report.json; and
scripts/pytorch_int8.py (the int8 stage).

    /usr/bin/python3 scripts/test_pytorch_prune.py [--no-smoke]     # ~15 s on 2 cores
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "experiment_distill_pytorch.py")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before torch loads OpenBLAS
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import experiment_distill_pytorch as experiment  # noqa: E402
import pytorch_int8 as pi  # noqa: E402
import pytorch_prune as pp  # noqa: E402

torch.set_num_threads(1)
experiment.torch, experiment.F = torch, F  # the script imports torch in main(); its helpers read these globals


def mlp(arch="20-16-12-5"):
    torch.manual_seed(3)
    return experiment.build_mlp(arch, 0)


def linears(model):
    return [m for m in model.modules() if isinstance(m, torch.nn.Linear)]


def check_global_l1():
    """Exact count, one global ranking over the hidden layers, output layer and biases untouched, original intact."""
    dense = mlp()
    before = {k: v.clone() for k, v in dense.state_dict().items()}
    model = mlp()
    pp.prune_global_l1(model, 0.8)
    hidden, output = linears(model)[:-1], linears(model)[-1]
    total = sum(layer.weight.numel() for layer in hidden)  # 20·16 + 16·12 = 512
    zeros = sum(int((layer.weight == 0).sum()) for layer in hidden)
    assert zeros == round(0.8 * total), (zeros, total)
    assert abs(pp.layer_sparsity(model) - zeros / total) < 1e-12
    # One ranking across layers: every pruned |w| is ≤ every kept |w| (over both hidden layers together).
    orig = torch.cat([layer.weight_orig.detach().abs().flatten() for layer in hidden])
    mask = torch.cat([layer.weight_mask.flatten() for layer in hidden])
    assert orig[mask == 0].max() <= orig[mask == 1].min()
    assert not hasattr(output, "weight_mask") and int((output.weight == 0).sum()) == 0, "the output layer stays dense"
    for layer, ref in zip(linears(model), linears(dense)):
        assert torch.equal(layer.bias, ref.bias), "biases are not pruned"
    assert all(torch.equal(v, before[k]) for k, v in dense.state_dict().items())
    print("global L1 check passed: exact count, one ranking over the hidden layers, output layer and biases dense")


def check_finetune_keeps_zeros():
    """prune_and_finetune with the script's train() (KD loss, Adam, cosine): pruned weights 0 after fine-tuning and
    prune.remove; the distilled original unchanged; nonzero parameter count; helpers."""
    torch.manual_seed(5)
    x, y = torch.randn(300, 20), torch.randint(0, 5, (300,))
    y[::3] = -1  # some unlabelled transfer rows, as in the few-labels scenario
    vx, vy = torch.randn(60, 20), torch.randint(0, 5, (60,))
    teacher_logits = torch.randn(300, 5) * 3
    distilled = mlp()
    before = {k: v.clone() for k, v in distilled.state_dict().items()}
    masks = {}

    def finetune(model):
        hidden = linears(model)[:-1]
        masks.update({i: layer.weight_mask.clone() for i, layer in enumerate(hidden)})
        result = experiment.train(model, x, y, vx, vy, 2, teacher_logits, 2.0, 0.5)
        for i, layer in enumerate(hidden):  # still pruned, with the same mask, at the best epoch's weights
            assert torch.equal(layer.weight_mask, masks[i])
            assert int((layer.weight[masks[i] == 0] != 0).sum()) == 0
        return result

    pruned, curve, best_epoch, seconds = pp.prune_and_finetune(distilled, 0.9, finetune)
    assert len(curve) == 2 and 0 <= best_epoch < 2 and seconds > 0
    hidden = linears(pruned)[:-1]
    for i, layer in enumerate(hidden):
        assert isinstance(layer.weight, torch.nn.Parameter) and not hasattr(layer, "weight_orig")
        assert int((layer.weight[masks[i] == 0] != 0).sum()) == 0, "pruned weights stay 0 after prune.remove"
        assert not layer._forward_pre_hooks, "prune.remove drops the hook"
    assert set(pruned.state_dict()) == set(distilled.state_dict()), "a plain dense state_dict"
    assert all(torch.equal(v, before[k]) for k, v in distilled.state_dict().items()), "the distilled student is a copy"
    changed = any(not torch.equal(a, b) for a, b in zip(pruned.state_dict().values(), before.values()))
    assert changed, "fine-tuning moved the kept weights"
    weights = sum(layer.weight.numel() for layer in hidden)
    kept = weights - round(0.9 * weights)
    out = linears(pruned)[-1]
    biases = sum(layer.bias.numel() for layer in hidden)
    assert pp.nonzero_parameters(pruned) == kept + biases + out.weight.numel() + out.bias.numel()
    assert abs(pp.layer_sparsity(pruned) - round(0.9 * weights) / weights) < 1e-12
    assert pp.samples_per_second(pruned, vx, batch=256, calls=3) > 0
    print("fine-tune check passed: pruned weights 0 through the script's train() and after prune.remove")


def check_report_helpers():
    assert pp.pruned_name(0.9) == "student pruned 90%" and pp.pruned_name(0.955) == "student pruned 95.5%"
    assert pp.pruned_name(0.5) == "student pruned 50%"
    cost = pp.pruning_cost("student pruned 90%", [0.9, 0.9], [0.80, 0.82], [0.79, 0.805])
    assert abs(cost["changePoints"] + 1.25) < 1e-9 and abs(cost["spreadPoints"] - 0.3535533905932738) < 1e-9
    assert pp.cost_line(cost) == "student pruned 90% vs student distilled: -1.25 pp (seed spread 0.35 pp)"
    assert pp.pruning_cost("x", [0.5], [0.8], [0.81])["spreadPoints"] == 0.0
    assert pp.signed(0.001) == "+0.00" and pp.signed(-0.001) == "+0.00" and pp.signed(0.5) == "+0.50"
    print("report helper check passed: names, paired costs, TinyKd's Markdown line")


def smoke_run():
    with tempfile.TemporaryDirectory(prefix="torchprune-test-") as tmp:
        subprocess.run([sys.executable, SCRIPT, "--data", "sample", "--quick", "--seeds", "1", "--scenario", "all",
                        "--threads", "1", "--out", tmp], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(tmp, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
        with open(os.path.join(tmp, "report.md"), encoding="utf-8") as f:
            markdown = f.read()
    assert [s["name"] for s in report["scenarios"]] == ["all labels"]
    scenario = report["scenarios"][0]
    assert list(scenario) == ["name", "description", "models", "search", "comparison", "pruning"]
    names = [m["name"] for m in scenario["models"]]
    assert names == ["teacher", "student alone", "student distilled", "student pruned 90%", "student int8",
                     "student pruned 90% int8"], names
    for m in scenario["models"]:
        assert list(m)[-3:] == ["curves", "sparsity", "samplesPerSecond"] and m["samplesPerSecond"] > 0
    dense, pruned = scenario["models"][2], scenario["models"][3]
    assert dense["sparsity"] == 0.0 and abs(pruned["sparsity"] - 0.9) < 1e-4
    assert pruned["modelBytes"] == dense["modelBytes"], "torch prune saves nothing"
    assert pruned["parameters"] < 0.15 * dense["parameters"]
    int8, pruned_int8 = scenario["models"][4], scenario["models"][5]
    assert int8["modelBytes"] < 0.3 * dense["modelBytes"], "quantize_dynamic stores int8 weights"
    assert int8["sparsity"] == 0.0 and pruned_int8["sparsity"] == pruned["sparsity"]
    assert pruned_int8["parameters"] == pruned["parameters"]
    cost, int8_cost, pruned_int8_cost = scenario["pruning"]
    assert list(cost) == ["model", "sparsity", "changePoints", "spreadPoints"] and cost["spreadPoints"] == 0.0
    assert abs(cost["changePoints"] - 100 * (pruned["accuracy"]["mean"] - dense["accuracy"]["mean"])) < 1e-9
    assert int8_cost["model"] == "student int8" and pruned_int8_cost["model"] == "student pruned 90% int8"
    assert abs(int8_cost["changePoints"] - 100 * (int8["accuracy"]["mean"] - dense["accuracy"]["mean"])) < 1e-9
    assert "- student pruned 90% vs student distilled: " in markdown and "samples/s b256" in markdown
    assert "- student int8 vs student distilled: " in markdown
    print("smoke run passed: --quick --scenario all, pruned and int8 rows and their costs in report.json / report.md")


def check_int8_helpers():
    assert pi.int8_sparsity([]) is None and pi.int8_sparsity([0.5, 0.9, 0.95]) == 0.9 and pi.int8_sparsity([0.95, 0.99]) == 0.95
    assert pi.int8_name() == "student int8" and pi.int8_name("student pruned 90%") == "student pruned 90% int8"
    model = mlp()
    x = torch.randn(7, 20)
    quantized = pi.quantize(model)
    assert all(isinstance(m, torch.nn.Linear) for m in linears(model)), "the fp32 model is left unchanged"
    assert not any(isinstance(m, torch.nn.Linear) for m in quantized.modules()), "every Linear is quantized"
    with torch.no_grad():
        assert (quantized(x) - model(x)).abs().max() < 0.05
    print("int8 helper check passed: sparsity rule, names, quantize_dynamic on a copy")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-smoke", action="store_true", help="skip the smoke run of the experiment script")
    args = parser.parse_args()
    check_global_l1()
    check_finetune_keeps_zeros()
    check_report_helpers()
    check_int8_helpers()
    if not args.no_smoke:
        smoke_run()


if __name__ == "__main__":
    main()
