# source: huggingface/diffusers pipelines/ddpm/pipeline_ddpm.py (the denoising loop) — a sampler calls the same network once per timestep
# Designed sharing: one denoiser applied at every step of the sampler.
# expect-none
import torch
import torch.nn as nn


class Denoiser(nn.Module):
    def __init__(self, channels=4, width=8):
        super().__init__()
        self.conv_in = nn.Conv2d(channels, width, 3, padding=1)
        self.norm = nn.GroupNorm(4, width)
        self.conv_out = nn.Conv2d(width, channels, 3, padding=1)

    def forward(self, x):
        return self.conv_out(self.norm(self.conv_in(x)).relu())


class Sampler(nn.Module):
    def __init__(self, steps=4):
        super().__init__()
        self.unet = Denoiser()
        self.steps = steps

    def forward(self, latents):
        for _ in range(self.steps):
            noise = self.unet(latents)
            latents = latents - 0.1 * noise
        return latents

# run: Sampler() on (2, 4, 8, 8)
