"""The public model libraries the realworld benchmark checks: pinned versions, so a label's
(file, line) keeps pointing at the code that was triaged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Corpus:
    name: str  # the label files and the table call it this
    requirement: str  # what `pip download` fetches (pinned)
    package: str  # the folder inside the wheel that is checked
    reported_bug: str = ""  # the public report of a layer-reuse bug this release holds (owner/repo#N)


CORPORA = (
    Corpus("keras", "keras==3.15.1", "keras"),
    Corpus("keras-hub", "keras-hub==0.32.0", "keras_hub"),
    Corpus("tf-models-official", "tf-models-official==2.20.0", "official"),
    Corpus("timm", "timm==1.0.31", "timm"),
    Corpus("diffusers", "diffusers==0.42.1", "diffusers"),
    Corpus("transformers", "transformers==5.23.0", "transformers"),
    # A release whose bug was reported publicly (kyegomez/MambaTransformer#14, "layer norm called
    # multiple times with same parameters"): the benchmark must keep finding it.
    Corpus("mambatransformer", "mambatransformer==0.0.4", "mamba_transformer",
           "kyegomez/MambaTransformer#14"),
    # Issue 15, round 2: ordinary, widely used model libraries, chosen (newest release on the index,
    # pinned) before anything was checked on them, so that false findings have a chance to show.
    Corpus("x-transformers", "x-transformers==2.31.10", "x_transformers"),
    Corpus("vit-pytorch", "vit-pytorch==1.26.11", "vit_pytorch"),
    Corpus("open-clip-torch", "open-clip-torch==3.3.0", "open_clip"),
    Corpus("segmentation-models-pytorch", "segmentation-models-pytorch==0.6.0", "segmentation_models_pytorch"),
    Corpus("keras-cv", "keras-cv==0.9.0", "keras_cv"),
    Corpus("tensorflow-addons", "tensorflow-addons==0.23.0", "tensorflow_addons"),
    Corpus("torchtune", "torchtune==0.6.1", "torchtune"),
    # Older releases that held a publicly reported layer-reuse bug, so that true findings exist:
    # dreamquark-ai/tabnet#76 ("Bugfix/shared layers", fixed in 1.0.3): after #72 dropped the
    # deepcopy of the shared GLU block, its batch normalizations were shared by every step too.
    Corpus("pytorch-tabnet", "pytorch-tabnet==1.0.2", "pytorch_tabnet", "dreamquark-ai/tabnet#76"),
    # lucidrains/perceiver-pytorch#58 ("Weight sharing implementation", fixed in 0.8.1): the cached
    # builders tied the wrong self-attention layers together across blocks.
    Corpus("perceiver-pytorch", "perceiver-pytorch==0.8.0", "perceiver_pytorch", "lucidrains/perceiver-pytorch#58"),
)

BY_NAME = {corpus.name: corpus for corpus in CORPORA}
