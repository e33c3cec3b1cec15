"""PyTorch eager twins of tinykd's timed workloads, for the GPU check of issue 14 (scripts/device/run.sh): an MLP train
step (forward, cross-entropy, backward, Adam), the student's KD step (α·T²·KL(teacher ‖ student, T) + (1 − α)·CE
against fixed teacher logits, T = 4, α = 0.9 as src/Cli/Bench/Shared/BenchCases.cs) and torch.matmul, TF32 off.
Timed as tinykd bench times: a warm-up, then the median over repetitions of the mean time per call, each repetition
ending with the device synchronised. Run alone it prints one train step's time (--model, --batch, --device)."""
import argparse
import statistics
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False

TEMPERATURE, ALPHA = 4.0, 0.9


def synchronizer(device):
    return torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)


def median_seconds(body, device, warmup_seconds=0.2, warmup_calls=3, repetitions=5, repetition_seconds=0.05):
    """Median seconds per call of body(): warm-up calls, then repetitions of enough calls to last repetition_seconds."""
    sync = synchronizer(device)
    calls, start = 0, time.perf_counter()
    while True:
        body()
        sync()
        calls += 1
        elapsed = time.perf_counter() - start
        if calls >= warmup_calls and elapsed >= warmup_seconds:
            break
    inner = max(1, int(repetition_seconds / (elapsed / calls) + 0.999))
    per_call = []
    for _ in range(repetitions):
        begin = time.perf_counter()
        for _ in range(inner):
            body()
        sync()
        per_call.append((time.perf_counter() - begin) / inner)
    return statistics.median(per_call)


def mlp(widths, device):
    sizes = [int(s) for s in widths.split("-")]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(device), sizes


def make_step(widths, batch, device, distill=False):
    """One Adam step on cross-entropy (or the KD objective when distill) of an MLP of these widths, as a function."""
    torch.manual_seed(1)
    model, sizes = mlp(widths, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, sizes[0], device=device)
    y = torch.randint(0, sizes[-1], (batch,), device=device)
    teacher = torch.rand(batch, sizes[-1], device=device) * 10 - 5

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits, y)
        if distill:
            kl = torch.nn.functional.kl_div(torch.log_softmax(logits / TEMPERATURE, 1), torch.log_softmax(teacher / TEMPERATURE, 1),
                                            reduction="batchmean", log_target=True)
            loss = ALPHA * TEMPERATURE * TEMPERATURE * kl + (1 - ALPHA) * loss
        loss.backward()
        optimizer.step()

    return step


def step_seconds(widths, batch, device, distill=False):
    """Median seconds of one Adam step on cross-entropy (or the KD objective when distill) of an MLP of these widths."""
    return median_seconds(make_step(widths, batch, device, distill), device)


def kernels_per_step(widths, batch, device, distill=False):
    """CUDA kernels one such step launches (torch.profiler, after warm-up; copies and memsets not counted), or None
    off CUDA or when the profiler cannot tell."""
    if not device.startswith("cuda"):
        return None
    try:
        from torch.profiler import ProfilerActivity, profile
        step = make_step(widths, batch, device, distill)
        for _ in range(3):
            step()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step()
            torch.cuda.synchronize()
        return sum(1 for e in prof.events()
                   if e.device_type == torch.autograd.DeviceType.CUDA and not e.name.lower().startswith(("memcpy", "memset")))
    except Exception as error:  # noqa: BLE001 - the count is a diagnostic; the timing goes on without it
        print(f"(kernel count unavailable: {error})")
        return None


def matmul_seconds(m, n, k, transpose_a, transpose_b, device):
    """Median seconds of C = op(A)·op(B) with op(A) M×K and op(B) K×N, A and B stored as tinykd bench stores them."""
    torch.manual_seed(7)
    a = torch.rand(k, m, device=device) * 2 - 1 if transpose_a else torch.rand(m, k, device=device) * 2 - 1
    b = torch.rand(n, k, device=device) * 2 - 1 if transpose_b else torch.rand(k, n, device=device) * 2 - 1
    a, b = (a.t() if transpose_a else a), (b.t() if transpose_b else b)
    c = torch.empty(m, n, device=device)
    return median_seconds(lambda: torch.matmul(a, b, out=c), device)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="784-1200-1200-10")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "the CPU"
    seconds = step_seconds(args.model, args.batch, args.device)
    print(f"torch {torch.__version__} on {name}: train step {args.model} b{args.batch}: {seconds * 1e3:.3f} ms")
