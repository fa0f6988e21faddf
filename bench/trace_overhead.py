"""Overhead of `layerlint.runtime.trace` per forward pass, in one process.

For Keras 3 `keras.applications.ResNet50(weights=None)` and a ResNet-50-like PyTorch model written
here (bottleneck blocks 3-4-6-3, ~25.6 M parameters), it times plain `model(x)` and
`trace(model, x)` (and a `tracing()` block around one and around five `model(x)`) alternately
after warm-up, and prints the median ratio (goal <= 1.10x), plus the extra Python memory of a
traced pass (tracemalloc peak of a traced pass minus that of a plain one; tensors allocated by the
frameworks' C++ allocators are the same in both and not counted).

    TF_CPP_MIN_LOG_LEVEL=3 python bench/trace_overhead.py [--runs 7] [--batch 1] [--size 224]
        [--only keras|torch] [--threads N] [--clock wall|cpu]

Each traced variant reads its report's diagnostics (the report is part of the cost). Ratios are
medians of per-round ratios. The last row, five passes in one `tracing()` block, is the per-pass
cost once the report is built once per trace (a Keras `fit`, a Lightning step). On a machine shared
with other work, `--threads 1 --clock cpu` measures CPU time instead of wall time: the traced and
plain passes then cost what they cost, whatever else runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def measure(name: str, forward, traced, traced_block, runs: int, passes) -> None:
    """Plain, `trace` and `tracing()` timed in turn, `runs` rounds; each ratio is the median over the
    rounds of (traced / plain of the same round), so that a machine busy for a while slows both."""
    for _ in range(2):  # warm-up: first calls build, compile kernels, fill caches
        forward()
        traced()
    targets = {"plain": forward, "trace": traced, "block": traced_block, "passes": passes}
    times: dict[str, list[float]] = {key: [] for key in targets}
    for _ in range(runs):
        for key, target in targets.items():
            start = CLOCK[0]()
            target()
            times[key].append(CLOCK[0]() - start)
    times["passes"] = [t / PASSES for t in times["passes"]]
    plain = statistics.median(times["plain"])

    def ratio(key: str) -> str:
        ratios = [t / p for t, p in zip(times[key], times["plain"])]
        return f"median {statistics.median(times[key]) * 1000:8.1f} ms  ratio {statistics.median(ratios):.3f}x"

    def peak(target) -> int:
        tracemalloc.start()
        tracemalloc.reset_peak()
        target()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    plain_peak, traced_peak = peak(forward), peak(traced)
    print(f"{name}")
    print(f"  plain forward                       median {plain * 1000:8.1f} ms over {runs} runs "
          f"({'CPU' if CLOCK[0] is time.process_time else 'wall'} time)")
    print(f"  trace(model, x), report read        {ratio('trace')}")
    print(f"  tracing(): model(x)                 {ratio('block')}")
    print(f"  tracing(): {PASSES} x model(x), per pass     {ratio('passes')}")
    print(f"  extra Python memory of a traced pass (tracemalloc peak): "
          f"{(traced_peak - plain_peak) / 1024:.0f} KiB (plain {plain_peak / 1024:.0f} KiB, "
          f"traced {traced_peak / 1024:.0f} KiB)")


PASSES = 5  # forward passes in one tracing() block: the per-pass cost once the report is built once
CLOCK = [time.perf_counter]  # --clock cpu: time.process_time


def bench_keras(runs: int, batch: int, size: int) -> None:
    import keras
    import numpy as np

    from layerlint.runtime import trace, tracing

    model = keras.applications.ResNet50(weights=None, input_shape=(size, size, 3))
    x = np.random.default_rng(0).standard_normal((batch, size, size, 3)).astype("float32")
    x = keras.ops.convert_to_tensor(x)
    calls = len(trace(model, x).instances)

    def block():
        with tracing() as report:
            model(x)
        return report.diagnostics

    def passes():
        with tracing() as report:
            for _ in range(PASSES):
                model(x)
        return report.diagnostics

    measure(f"Keras {keras.__version__} ({keras.backend.backend()}) ResNet50(weights=None), "
            f"input {tuple(x.shape)}, {calls} layer instances",
            lambda: model(x), lambda: trace(model, x).diagnostics, block, runs, passes)


def resnet50_like(torch):
    nn = torch.nn

    class Bottleneck(nn.Module):
        def __init__(self, inputs: int, width: int, stride: int):
            super().__init__()
            outputs = width * 4
            self.conv1, self.bn1 = nn.Conv2d(inputs, width, 1, bias=False), nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3, self.bn3 = nn.Conv2d(width, outputs, 1, bias=False), nn.BatchNorm2d(outputs)
            self.relu = nn.ReLU(inplace=True)  # stateless reuse, as in torchvision
            self.down = None
            if stride != 1 or inputs != outputs:
                self.down = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False),
                                          nn.BatchNorm2d(outputs))

        def forward(self, x):
            identity = x if self.down is None else self.down(x)
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.relu(self.bn2(self.conv2(y)))
            return self.relu(self.bn3(self.conv3(y)) + identity)

    class ResNet(nn.Module):
        def __init__(self, depths=(3, 4, 6, 3), classes=1000):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                                      nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
            stages, inputs = [], 64
            for index, depth in enumerate(depths):
                width = 64 * 2 ** index
                blocks = []
                for block in range(depth):
                    blocks.append(Bottleneck(inputs, width, 2 if block == 0 and index > 0 else 1))
                    inputs = width * 4
                stages.append(nn.Sequential(*blocks))
            self.stages = nn.Sequential(*stages)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(inputs, classes)

        def forward(self, x):
            return self.fc(torch.flatten(self.pool(self.stages(self.stem(x))), 1))

    return ResNet()


def bench_torch(runs: int, batch: int, size: int) -> None:
    import torch

    from layerlint.runtime import trace, tracing

    torch.manual_seed(0)
    model = resnet50_like(torch).eval()
    parameters = sum(p.numel() for p in model.parameters())
    x = torch.randn(batch, 3, size, size)
    calls = len(trace(model, x).instances)

    def plain():
        with torch.no_grad():
            model(x)

    def traced():
        with torch.no_grad():
            return trace(model, x).diagnostics

    def block():
        with torch.no_grad(), tracing() as report:
            model(x)
        return report.diagnostics

    def passes():
        with torch.no_grad(), tracing() as report:
            for _ in range(PASSES):
                model(x)
        return report.diagnostics

    measure(f"PyTorch {torch.__version__} ResNet-50-like ({parameters / 1e6:.1f} M parameters), "
            f"input {tuple(x.shape)}, {calls} module instances", plain, traced, block, runs, passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--only", choices=("keras", "torch"))
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: the process's CPU time, steadier than wall time on a machine other work "
                             "slows down (use with --threads 1, so that spinning worker threads do not count)")
    parser.add_argument("--threads", type=int, help="intra-op threads of torch and TensorFlow (default: theirs); "
                        "1 gives steadier figures on a busy machine")
    args = parser.parse_args()
    if args.clock == "cpu":
        CLOCK[0] = time.process_time
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        os.environ["TF_NUM_INTRAOP_THREADS"] = str(args.threads)
        if args.only in (None, "torch"):
            import torch

            torch.set_num_threads(args.threads)
    if args.only in (None, "torch"):
        bench_torch(args.runs, args.batch, args.size)
    if args.only in (None, "keras"):
        bench_keras(args.runs, args.batch, args.size)


if __name__ == "__main__":
    main()
