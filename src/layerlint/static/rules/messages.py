"""The words of the findings that both origins report, one set per code (pyflakes' `messages.py`).

`layerlint check` (the rules) and `layerlint trace` (runtime/judge.py) fill these same templates, so
an LL001 reads the same whether it was inferred from the source or seen while the model ran; only the
arguments differ (a source line or a call the tracer recorded). Rules reported by one origin only
(LL004-LL006) keep their words in their own modules.
"""

from __future__ import annotations

from layerlint.i18n import N_

# LL001: a reused instance gets a feature size other than the one it is fixed to.
LL001_BUILT = N_("`{label}` ({cls}) is built for {expected} features by its call at line {line} "
                 "but gets {received} {where}; {framework} raises: {error}")
LL001_DECLARED = N_("`{label}` ({cls}) is declared for {expected} features but gets {received} {where}; "
                    "{framework} raises: {error}")
LL001_HERE = N_("here")
LL001_NEXT_ITERATION = N_("in the next iteration of the loop")
LL001_NEXT_SLOT = N_("in its next slot of the Sequential")
LL001_FIRST_BUILT = N_("first call: builds `{label}` for {expected} features")
LL001_FIRST_DECLARED = N_("called with {expected} features here")
# A lazy BatchNorm1d whose inputs were read as (N, C) because each is a Linear's output (facts.settle_ranks).
LL001_ASSUMED_RANK = N_("{where} (reading each input as (N, C), a Linear's output, since the source states "
                        "no rank; over (N, L, C) {cls} would normalise over L and size itself by L)")
LL001_FIRST_ASSUMED = N_("first call: builds `{label}` for {expected} features, reading this Linear "
                         "output as (N, C)")
LL001_CONTAINER = N_("one {cls} instance fills several slots of this container: the slots that give it other sizes "
                     "are the crash")
CONTAINER_HELP = N_("build one instance per slot, e.g. `[{cls}(...) for _ in range(n)]`")
LL001_HELP = N_("give each call site its own {cls} instance, e.g. `{first}` and `{second}`")
UNKNOWN_ERROR = "an error on the mismatched input"

# LL002 and LL003: the calls share state ({state}), called {how}.
LL002_SHARED = N_("`{label}` ({cls}) is called {how}: the calls silently share its {state}")
LL002_ROLES = N_("`{label}` ({cls}) is called {how} on inputs in different roles ({inputs}): one "
                 "set of {state} serves them all")
LL002_HELP = N_("give each call site its own {cls}; if the sharing is intended, say so in a comment on "
                "the line (`# shared on purpose`)")
LL003_SHARED = N_("`{label}` ({cls}) is called {how}: the calls share its {state}")
LL003_INTENDED = N_("`{label}` ({cls}) is called {how}: the calls share its {state}; {reason}: looks "
                    "intended")
LL003_HELP = N_("fine when the sharing is intended (siamese towers, tied weights); otherwise give "
                "each call site its own {cls}")

STATE_STATISTICS = N_("running statistics and normalization parameters")
STATE_NORMALIZATION = N_("normalization parameters (scale and offset)")
STATE_WEIGHTS = N_("trainable weights")
STATE_LIVE_STATISTICS = N_("non-trainable state (buffers or non-trainable variables)")
STATE_SUB_NETWORK = N_("{layers} inner layers and their weights")
HOW_LOOP = N_("in a loop")
HOW_LINES = N_("at lines {lines}")
HOW_HANDED = N_("{count} times, through the blocks it is handed to")
HOW_SLOTS = N_("{count} times, once in each slot of the Sequential that lists it")
HOW_OTHER_MODULE = N_("{count} times by code of another module, reached from line {lines}")
HOW_PASS = N_("{count} times in one forward pass")

# Notes on the related places.
ALSO_CALLED = N_("also called here")
CREATED = N_("`{label}` is created here")
LOOP = N_("the loop that repeats the call")
NOT_IN_CATALOG = N_("{cls} is not in the catalog: judged from the live object")
