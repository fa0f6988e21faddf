"""Check the first training step of a PyTorch Lightning module for unsafe layer reuse.

    python examples/callbacks/lightning_reuse_check.py

The module calls one BatchNorm2d after two convolutions (LL002): the callback logs the finding
through the `layerlint` logger and, with raise_on_error=True, stops training with UnsafeReuseError.
"""

import logging

import torch
from torch import nn
import lightning.pytorch as pl

import layerlint.lightning
from layerlint.runtime import UnsafeReuseError


class Classifier(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.norm = nn.BatchNorm2d(8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = torch.relu(self.norm(self.conv1(x)))
        x = torch.relu(self.norm(self.conv2(x)))  # LL002: one set of running statistics for both
        return self.head(x.mean((2, 3)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        return nn.functional.cross_entropy(self(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def trainer(*callbacks):
    return pl.Trainer(max_steps=2, accelerator="cpu", logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, callbacks=list(callbacks))


def main():
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    data = torch.utils.data.TensorDataset(torch.randn(16, 3, 8, 8), torch.randint(0, 2, (16,)))
    loader = torch.utils.data.DataLoader(data, batch_size=4)
    check = layerlint.lightning.ReuseCheck()
    trainer(check).fit(Classifier(), loader)
    print("findings:", [d.code for d in check.report.diagnostics])
    try:
        trainer(layerlint.lightning.ReuseCheck(raise_on_error=True)).fit(Classifier(), loader)
    except UnsafeReuseError as error:
        print("fit stopped:", error.report.summary())


if __name__ == "__main__":
    main()
