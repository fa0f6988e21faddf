"""Generates small model programs, each a named *spelling* of how a layer instance reaches its call
sites, and says what a real run of each will show.

    program = generate("factory_module", "torch", seed=7)   # deterministic for (spelling, framework, seed)
    programs(frameworks=("keras",))                         # the same as a hypothesis strategy

`SPELLINGS` is the one table of what is generated and of what the checker is known not to follow
yet (`known_gap`: the frameworks, or `framework:kind` for one kind of layer, where the checker
misses that road today). The suite (`tests/test_generated_differential.py`) asserts that every
program's real run shows what the generator meant, and full agreement on every spelling and
framework outside the known gaps; the gaps are reported. Whoever teaches the checker a road removes
its entry here, and the suite then holds the checker to it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from generated import spellings as s
from generated.vocab import FRAMEWORKS, vocab

KERAS = ("keras", "tf_keras")
ALL = FRAMEWORKS


@dataclass(frozen=True)
class Spelling:
    name: str
    write: Callable[[s.Draft], s.Written]
    frameworks: tuple[str, ...] = ALL
    baseline: bool = False  # a spelling the checker follows today (asserted at 1.0)
    known_gap: tuple[str, ...] = ()  # "framework" or "framework:kind" the checker does not follow yet
    reuse_rate: float = 0.6  # share of programs with the bug (the rest are the road's negatives)


# The order is the report's (and `sample`'s round-robin); a new spelling can go anywhere.
SPELLINGS: tuple[Spelling, ...] = (
    # the examples' spelling and its negatives
    Spelling("attr_twice", s.attr_twice, baseline=True, reuse_rate=1.0),
    Spelling("separate_instances", s.separate_instances, baseline=True, reuse_rate=0.0),
    Spelling("stateless_reuse", s.stateless_reuse, baseline=True, reuse_rate=1.0),
    Spelling("list_times_n", s.list_times_n, baseline=True),
    # the roads of issue 14
    Spelling("factory_module", s.factory_module),
    Spelling("block_class_module", s.block_class_module),
    Spelling("block_on_its_output", s.block_on_its_output),
    Spelling("ctor_arg_block", s.ctor_arg_block),
    Spelling("two_wrappers", s.two_wrappers),
    Spelling("repeat_in_concat", s.repeat_in_concat),
    Spelling("itertools_repeat", s.itertools_repeat),
    Spelling("append_hoisted", s.append_hoisted),
    Spelling("setattr_fstring", s.setattr_fstring),
    Spelling("getattr_fstring", s.getattr_fstring),
    Spelling("default_argument", s.default_argument),
    Spelling("factory_times_n", s.factory_times_n),
    Spelling("class_alias", s.class_alias),
    Spelling("partial_ctor", s.partial_ctor),
    Spelling("attribute_alias", s.attribute_alias),
    # tf_keras drops the second listing of a layer, so its run shows nothing (and the checker, which
    # knows, says nothing)
    Spelling("sequential_twice", s.sequential_twice),
    Spelling("sequential_input_twice", s.sequential_input_twice, frameworks=KERAS),
    Spelling("model_add_twice", s.model_add_twice, frameworks=KERAS),
    Spelling("builder_every_slot", s.builder_every_slot),
    Spelling("two_sequentials", s.two_sequentials),
    Spelling("functional_builders", s.functional_builders, frameworks=KERAS),
    # A LazyBatchNorm1d is sized by its first call's axis 1, and the model's input rank is stated
    # nowhere in the model (only where `step` calls it): at rank 2 (the run's) two widths after two
    # Linears crash, at rank 3, (N, L, C), both calls would see L and run. The checker reads a Linear's
    # output fed to a BatchNorm1d as (N, C), its conventional use, and says so (facts.settle_ranks).
    Spelling("lazy_two_widths", s.lazy_two_widths, frameworks=("torch",)),
    # widths written as `self.width` and `5 + 1` rather than literals
    Spelling("stated_sizes", s.stated_sizes),
    Spelling("train_step_builds", s.train_step_builds),
    Spelling("tf_function_builds", s.tf_function_builds, frameworks=KERAS),
    Spelling("assign_in_call", s.assign_in_call),
    # Keras 3 only: tf_keras refuses a layer that creates its variables inside a Lambda, shared or not
    Spelling("lambda_applies_n", s.lambda_applies_n, frameworks=("keras",)),
)
BY_NAME = {spelling.name: spelling for spelling in SPELLINGS}


@dataclass(frozen=True)
class Program:
    spelling: str
    framework: str
    seed: int
    reuse: bool  # whether the program has the bug its spelling is about
    kind: str  # the layer that travels: bn, ln, dense (or stateless)
    intended: str  # the truth the generator means: crash, per_call, repeat, stats, norm, weights, clean
    modules: tuple[tuple[str, str], ...]  # (module name, text) of the package; "model" has build/step

    @property
    def label(self) -> str:
        return f"{self.spelling}/{self.framework}/{self.seed}"

    @property
    def split(self) -> bool:
        """Whether the program spans several modules (a helper imported from another module)."""
        return len(self.modules) > 1

    @property
    def gap(self) -> bool:
        known = BY_NAME[self.spelling].known_gap
        return self.framework in known or f"{self.framework}:{self.kind}" in known


def spellings_for(framework: str) -> list[Spelling]:
    return [spelling for spelling in SPELLINGS if framework in spelling.frameworks]


def generate(name: str, framework: str, seed: int) -> Program:
    spelling = BY_NAME[name]
    if framework not in spelling.frameworks:
        raise ValueError(f"spelling {name} has no {framework} form")
    rng = random.Random(f"{name}/{framework}/{seed}")
    draft = s.Draft(vocab(framework), rng, reuse=rng.random() < spelling.reuse_rate)
    written = spelling.write(draft)
    return Program(name, framework, seed, draft.reuse, draft.kind, written.truth,
                   tuple(sorted(written.modules.items())))


def sample(framework: str, count: int, seed: int = 0) -> list[Program]:
    """`count` programs of one framework, dealt round-robin over its spellings; each spelling's k-th
    program is the same whatever the other spellings, so adding one keeps the others' programs."""
    names = [spelling.name for spelling in spellings_for(framework)]
    return [generate(names[i % len(names)], framework, seed * 1_000_003 + i // len(names)) for i in range(count)]


def programs(frameworks: tuple[str, ...] = FRAMEWORKS, names: tuple[str, ...] | None = None):
    """A hypothesis strategy of programs (imported lazily: the benchmark does not need hypothesis)."""
    from hypothesis import strategies as st

    pairs = [(spelling.name, framework) for spelling in SPELLINGS for framework in frameworks
             if framework in spelling.frameworks and (names is None or spelling.name in names)]
    return st.builds(lambda pair, seed: generate(pair[0], pair[1], seed),
                     st.sampled_from(pairs), st.integers(0, 2**31 - 1))
