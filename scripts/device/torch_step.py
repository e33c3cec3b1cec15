"""Times one MLP train step (forward, cross-entropy, backward, Adam) in PyTorch eager on CUDA, TF32 off, for the GPU
check of issue 14 (scripts/device/run.sh): the median of 50 steps after 10 warm-up steps, synchronised."""
import argparse
import statistics
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--model", default="784-1200-1200-10")
parser.add_argument("--batch", type=int, default=128)
args = parser.parse_args()

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
sizes = [int(s) for s in args.model.split("-")]
layers = []
for i in range(len(sizes) - 1):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    if i < len(sizes) - 2:
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers).cuda()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.rand(args.batch, sizes[0], device="cuda")
y = torch.randint(0, sizes[-1], (args.batch,), device="cuda")
times = []
for step in range(60):
    torch.cuda.synchronize()
    start = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    torch.cuda.synchronize()
    if step >= 10:
        times.append(time.perf_counter() - start)
print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}: train step {args.model} b{args.batch}: "
      f"{statistics.median(times) * 1e3:.3f} ms (median of {len(times)})")
