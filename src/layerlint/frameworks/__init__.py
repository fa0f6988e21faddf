"""What layerlint knows of each deep-learning framework, one file per framework.

A `Framework` is data, not behaviour: the names it is known by, the module to import, the qualified
names of its layer namespace, its model and container base classes, how its layers lay out inputs
(channels last or first), and where its probe adapter lives. The static checker, the tracer and the
probe read these tables instead of branching on a framework's name, so adding a framework (Flax NNX,
say) starts with one file here and a line in `FRAMEWORKS`. Nothing here imports a framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Framework:
    name: str  # the catalog's name: "keras", "tf_keras", "torch"
    display: str  # for people: "Keras 3"
    module: str  # what to import to use it
    layer_base_module: str  # the module defining its layer base class: imported means in use
    install: str  # the pip command that installs it (CPU build)
    namespaces: tuple[str, ...]  # qualified-name prefixes of its layer classes ("torch.nn.")
    model_bases: frozenset[str]  # classes a user model derives from ("Module", "Model", "Layer")
    layer_module: str  # where its layer classes are public ("torch.nn"), for messages
    channels_first: bool  # where the feature axis of an image is
    probe_adapter: str  # "module:Class" of its probe adapter (imported only by `layerlint probe`)
    input_layouts: dict[str, object] = field(default_factory=dict)  # the probe's input kinds -> axis letters
    # Model base classes of libraries built on the framework, as (qualified-name prefix, class-name
    # suffix): a model deriving from `transformers.PreTrainedModel` is a torch module even when the
    # library is not installed, and its forward pass is read like any other.
    library_bases: tuple[tuple[str, str], ...] = ()

    def library_base(self, qualified: str) -> bool:
        package, _, name = qualified.rpartition(".")
        return any((package + ".").startswith(prefix) and name.endswith(suffix)
                   for prefix, suffix in self.library_bases)


from layerlint.frameworks import keras, tf_keras, torch  # noqa: E402  (each defines FRAMEWORK)

FRAMEWORKS: dict[str, Framework] = {module.FRAMEWORK.name: module.FRAMEWORK for module in (keras, tf_keras, torch)}


def get(name: str | None) -> Framework | None:
    return FRAMEWORKS.get(name or "")


def of_library_base(qualified: str) -> str | None:
    """The framework a library's model base class (`transformers.BertPreTrainedModel`) belongs to."""
    return next((name for name, framework in FRAMEWORKS.items() if framework.library_base(qualified)), None)


def display(name: str | None) -> str:
    """`Keras 3`, `PyTorch`…; an unknown name as it is."""
    framework = get(name)
    return framework.display if framework else (name or "the framework")
