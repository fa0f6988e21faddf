"""How fast `layerlint server` answers a change to a big model file, as an editor sees it.

Starts the real server process, drives it over stdio like an editor (initialize, didOpen, then a
series of didChange notifications, each an incremental edit of a constructor argument) and waits
after each change for the publishDiagnostics of that document version. The latency of a change is
the time from writing its didChange to reading its diagnostics. In the same run it times a plain
`check_source` on the same texts, in this process, and prints the ratio of the two.

    /work/venv/bin/python bench/lsp_latency.py                 # a generated 2,000-line model file
    /work/venv/bin/python bench/lsp_latency.py --file model.py --changes 100

Also measured: bursts of keystrokes (`--burst`, `--burst-interval`), where the latency counts from
the last keystroke of a burst, and hovers over a layer call (`--hovers`), the first after a change
(the text is analysed) and a second on the same text. Exit status 1 when the p95 latency of single changes exceeds
`--budget-ms` (default 100).
"""

from __future__ import annotations

import argparse
import re
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types

from layerlint.server.client import StdioClient
from layerlint.static.checker import check_source

HEADER = '''"""A generated model zoo for the latency benchmark of `layerlint server`."""
from tensorflow import keras
from tensorflow.keras import layers


'''

BLOCKS = [
    '''class ConvBlock{i}(layers.Layer):
    def __init__(self, filters={f}):
        super().__init__()
        self.conv = layers.Conv2D(filters, 3, padding="same")
        self.bn = layers.BatchNormalization()
        self.act = layers.ReLU()
        self.pool = layers.MaxPool2D(2)

    def call(self, x, training=False):
        x = self.conv(x)
        x = self.bn(x, training=training)
        x = self.act(x)
        return self.pool(x)


''',
    '''class Residual{i}(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = layers.Conv2D({f}, 3, padding="same")
        self.bn_1 = layers.BatchNormalization()
        self.conv_2 = layers.Conv2D({f}, 3, padding="same")
        self.bn_2 = layers.BatchNormalization()
        self.add = layers.Add()
        self.relu = layers.ReLU()

    def call(self, x):
        shortcut = x
        x = self.relu(self.bn_1(self.conv_1(x)))
        x = self.bn_2(self.conv_2(x))
        x = self.add([x, shortcut])
        return self.relu(x)


''',
    '''class MLP{i}(keras.Model):
    def __init__(self, widths=({f}, {f}, 10)):
        super().__init__()
        self.hidden = [layers.Dense(width, activation="relu") for width in widths[:-1]]
        self.dropout = layers.Dropout(0.1)
        self.norm = layers.LayerNormalization()
        self.head = layers.Dense(widths[-1])

    def call(self, x):
        for dense in self.hidden:
            x = self.dropout(dense(x))
        x = self.norm(x)
        return self.head(x)


''',
    '''class Encoder{i}(keras.Model):
    def __init__(self):
        super().__init__()
        self.stem = keras.Sequential([
            layers.Conv2D({f}, 3, padding="same"),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2D({f}, 3, strides=2, padding="same"),
            layers.BatchNormalization(),
            layers.ReLU(),
        ])
        self.flatten = layers.Flatten()
        self.embed = layers.Dense(128)

    def call(self, x):
        return self.embed(self.flatten(self.stem(x)))


''',
    # the seed article's bug, now and then: one BatchNormalization after two sizes (LL001)
    '''class FeatureExtractor{i}(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = layers.Conv2D(6, 4, padding="valid", activation="relu")
        self.batchnorm = layers.BatchNormalization()
        self.maxpool = layers.MaxPool2D(pool_size=2, strides=2)
        self.conv_2 = layers.Conv2D({f}, 4, padding="valid", activation="relu")

    def call(self, x):
        x = self.conv_1(x)
        x = self.batchnorm(x)
        x = self.maxpool(x)
        x = self.conv_2(x)
        x = self.batchnorm(x)
        return self.maxpool(x)


''',
]


def model_file(lines: int = 2000, findings: int = 2) -> str:
    """A deterministic model file of about `lines` lines: the four correct kinds of block in turn,
    with `findings` copies of the seed article's bug (LL001) spread evenly among them."""
    correct, buggy = BLOCKS[:-1], BLOCKS[-1]
    per_block = sum(block.count("\n") for block in correct) / len(correct)
    total = max(1, round((lines - HEADER.count("\n")) / per_block))
    every = total // findings if findings else total + 1
    parts, count, i = [HEADER], HEADER.count("\n"), 0
    while count < lines:
        template = buggy if findings and i % every == every // 2 and i // every < findings else correct[i % len(correct)]
        block = template.format(i=i, f=16 + 8 * (i % 7))
        parts.append(block)
        count += block.count("\n")
        i += 1
    return "".join(parts)


ARGUMENT = re.compile(r"(Conv2D\(|Dense\()(\d+)")


def edit_sites(text: str) -> list[tuple[int, int, str]]:
    """(0-based line, column, digits) of each literal size argument: what the changes edit."""
    sites = []
    for number, line in enumerate(text.split("\n")):
        for match in ARGUMENT.finditer(line):
            sites.append((number, match.start(2), match.group(2)))
    return sites


def apply(text: str, line: int, column: int, old: str, new: str) -> str:
    lines = text.split("\n")
    lines[line] = lines[line][:column] + new + lines[line][column + len(old):]
    return "\n".join(lines)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", help="the model file to edit (default: a generated one)")
    parser.add_argument("--lines", type=int, default=2000, help="size of the generated file (default 2000)")
    parser.add_argument("--findings", type=int, default=2,
                        help="LL001 bugs planted in the generated file (default 2)")
    parser.add_argument("--changes", type=int, default=60, help="single changes to time (default 60)")
    parser.add_argument("--burst", type=int, default=5, help="keystrokes per burst (default 5; 0: none)")
    parser.add_argument("--bursts", type=int, default=10, help="bursts to time (default 10)")
    parser.add_argument("--burst-interval", type=float, default=30.0, help="ms between keystrokes (default 30)")
    parser.add_argument("--hovers", type=int, default=10, help="hovers to time, each after a change (default 10)")
    parser.add_argument("--budget-ms", type=float, default=100.0, help="the latency goal (default 100 ms)")
    parser.add_argument("--server", default=f"{shlex.quote(sys.executable)} -m layerlint.server",
                        help="the server command line (default: this Python's -m layerlint.server)")
    args = parser.parse_args(argv)

    text = Path(args.file).read_text(encoding="utf-8") if args.file else model_file(args.lines, args.findings)
    sites = edit_sites(text)
    hover_sites = [(number, line.index("self.") + 5) for number, line in enumerate(text.split("\n"))
                   if re.search(r"= self\.\w+\(", line)]
    if not sites:
        print("no Conv2D(N)/Dense(N) argument to edit in the file", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zoo.py"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        with StdioClient(shlex.split(args.server)) as client:
            started = time.perf_counter()
            client.initialize()
            sent = client.open(uri, text)
            first, received = client.wait_diagnostics(uri, version=1, timeout=60)
            open_latency = received - sent
            print(f"file: {len(text.splitlines())} lines, {len(first.diagnostics)} diagnostics; "
                  f"server up and first diagnostics after {received - started:.2f} s "
                  f"(didOpen -> diagnostics {open_latency * 1000:.1f} ms)")

            version, texts, latencies = 1, [], []
            for n in range(args.changes):
                line, column, old = sites[(n * 7) % len(sites)]
                new = str(int(old) + 1)
                version += 1
                text = apply(text, line, column, old, new)
                sites = edit_sites(text)
                texts.append(text)
                change = types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=line, character=column),
                                      end=types.Position(line=line, character=column + len(old))),
                    text=new)
                mark = client.mark()
                sent = client.change(uri, version, [change])
                _, received = client.wait_diagnostics(uri, version=version, start=mark, timeout=30)
                latencies.append(received - sent)
                time.sleep(0.02)  # an editor's pause between two edits

            burst_latencies = []
            for n in range(args.bursts if args.burst > 0 else 0):
                line, column, _ = sites[(n * 11 + 3) % len(sites)]
                mark = client.mark()
                for key in range(args.burst):  # type digits into the size, one keystroke at a time
                    version += 1
                    text = apply(text, line, column, "", "1")
                    sent = client.change(uri, version, [types.TextDocumentContentChangePartial(
                        range=types.Range(start=types.Position(line=line, character=column),
                                          end=types.Position(line=line, character=column)),
                        text="1")])
                    if key < args.burst - 1:
                        time.sleep(args.burst_interval / 1000)
                sites = edit_sites(text)
                _, received = client.wait_diagnostics(uri, version=version, start=mark, timeout=30)
                burst_latencies.append(received - sent)
                time.sleep(0.1)
            hover_first, hover_again = [], []
            for n in range(args.hovers):  # a change, its diagnostics, then hovers over a layer call
                line, column, old = sites[(n * 5 + 1) % len(sites)]
                version += 1
                text = apply(text, line, column, old, str(int(old) + 1))
                mark = client.mark()
                client.replace_all(uri, version, text)
                client.wait_diagnostics(uri, version=version, start=mark, timeout=30)
                sites = edit_sites(text)
                target = hover_sites[(n * 3) % len(hover_sites)]
                for times in (hover_first, hover_again):
                    began = time.perf_counter()
                    client.request(types.TEXT_DOCUMENT_HOVER, types.HoverParams(
                        text_document=types.TextDocumentIdentifier(uri=uri),
                        position=types.Position(line=target[0], character=target[1])), timeout=30)
                    times.append(time.perf_counter() - began)
            code = client.shutdown()

    check_source(texts[0], str(path), fixes=False)  # warm, as the server is
    plain = []
    for changed in texts:
        began = time.perf_counter()
        check_source(changed, str(path), fixes=False)
        plain.append(time.perf_counter() - began)

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    median, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    plain_median = statistics.median(plain)
    print(f"single changes ({len(latencies)}): median {ms(median)}, p95 {ms(p95)}, max {ms(max(latencies))}")
    if hover_first:
        print(f"hovers ({len(hover_first)}): first after a change median {ms(statistics.median(hover_first))}, "
              f"p95 {ms(percentile(hover_first, 0.95))}; again on the same text median "
              f"{ms(statistics.median(hover_again))}, p95 {ms(percentile(hover_again, 0.95))}")
    if burst_latencies:
        print(f"bursts ({len(burst_latencies)} x {args.burst} keystrokes, {args.burst_interval:.0f} ms apart), "
              f"from the last keystroke: median {ms(statistics.median(burst_latencies))}, "
              f"p95 {ms(percentile(burst_latencies, 0.95))}")
    print(f"plain check_source on the same texts: median {ms(plain_median)}, p95 {ms(percentile(plain, 0.95))}")
    print(f"ratio server latency / plain check: median {median / plain_median:.2f}, p95 {p95 / plain_median:.2f}")
    verdict = "met" if p95 * 1000 <= args.budget_ms else "MISSED"
    print(f"goal: fresh diagnostics within {args.budget_ms:.0f} ms of a change (p95): {verdict}; "
          f"server exit code {code}")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
