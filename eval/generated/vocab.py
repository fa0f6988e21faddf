"""How each framework spells the few things a generated program needs: imports, base classes, the
layers that hold statistics / normalization parameters / weights, a stateless layer, an input.

Widths are explicit because PyTorch declares them in the constructor (`nn.Linear(in, out)`) while
Keras infers them at the first call (`Dense(out)`); the generator always knows both.
"""

from __future__ import annotations

from dataclasses import dataclass

FRAMEWORKS = ("keras", "tf_keras", "torch")
KINDS = ("bn", "ln", "dense")  # running statistics, affine normalization, plain weights


@dataclass(frozen=True)
class Vocab:
    framework: str
    package: str  # "keras", "tf_keras" or "torch"

    @property
    def torch(self) -> bool:
        return self.framework == "torch"

    @property
    def imports(self) -> str:
        if self.torch:
            return "import torch\nfrom torch import nn\n"
        return f"import numpy\nimport {self.package}\nfrom {self.package} import layers\n"

    @property
    def model_base(self) -> str:
        return "nn.Module" if self.torch else f"{self.package}.Model"

    @property
    def layer_base(self) -> str:
        return "nn.Module" if self.torch else "layers.Layer"

    @property
    def method(self) -> str:
        return "forward" if self.torch else "call"

    def layer_class(self, kind: str) -> str:
        """The class of a layer of this kind (for aliases and `functools.partial`)."""
        if self.torch:
            return {"bn": "nn.BatchNorm1d", "ln": "nn.LayerNorm", "dense": "nn.Linear"}[kind]
        return {"bn": "layers.BatchNormalization", "ln": "layers.LayerNormalization", "dense": "layers.Dense"}[kind]

    def layer_args(self, kind: str, width_in: int, width_out: int) -> str:
        """The constructor arguments of a layer of `kind` fed `width_in` features (norms keep it)."""
        if kind == "dense":
            return f"{width_in}, {width_out}" if self.torch else f"{width_out}"
        return f"{width_in}" if self.torch else ""

    def layer(self, kind: str, width_in: int, width_out: int = 0) -> str:
        return f"{self.layer_class(kind)}({self.layer_args(kind, width_in, width_out)})"

    def lazy(self, kind: str, width_out: int) -> str:
        """A PyTorch module sized by its first call."""
        return "nn.LazyBatchNorm1d()" if kind == "bn" else f"nn.LazyLinear({width_out})"

    def stateless(self, index: int = 0) -> str:
        if self.torch:
            return ("nn.ReLU()", "nn.Tanh()", "nn.Dropout(0.0)")[index % 3]
        return ("layers.ReLU()", 'layers.Activation("tanh")', "layers.Dropout(0.0)")[index % 3]

    def container(self, items: str) -> str:
        """A list of layers the model tracks (Keras tracks plain lists; PyTorch needs ModuleList)."""
        return f"nn.ModuleList({items})" if self.torch else items

    def sequential(self, items: list[str]) -> str:
        if self.torch:
            return f"nn.Sequential({', '.join(items)})"
        return f"{self.package}.Sequential([{', '.join(items)}])"

    def input(self, batch: int, width: int) -> str:
        if self.torch:
            return f"torch.randn({batch}, {width})"
        return f'numpy.random.default_rng(0).normal(size=({batch}, {width})).astype("float32")'


def vocab(framework: str) -> Vocab:
    return Vocab(framework, {"keras": "keras", "tf_keras": "tf_keras", "torch": "torch"}[framework])
