"""What backbones exist and which layers they offer, known without loading TensorFlow (the UI reads this)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class BackboneInfo:
    key: str
    label: str
    layers: tuple[str, ...]
    offline: bool
    download_mb: int = 0


def _vgg_layers(convs_per_block: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(
        f"block{block}_conv{conv}"
        for block, count in enumerate(convs_per_block, start=1)
        for conv in range(1, count + 1)
    )


BACKBONES: dict[str, BackboneInfo] = {
    info.key: info
    for info in (
        BackboneInfo("vgg16", "VGG16 (offline, bundled)", _vgg_layers((2, 2, 3, 3, 3)), offline=True),
        BackboneInfo(
            "inception_v3",
            "InceptionV3 (ImageNet, download)",
            tuple(f"mixed{i}" for i in range(11)),
            offline=False,
            download_mb=84,
        ),
        BackboneInfo(
            "vgg19", "VGG19 (ImageNet, download)", _vgg_layers((2, 2, 4, 4, 4)), offline=False, download_mb=77
        ),
    )
}
DEFAULT_BACKBONE = "vgg16"
CUSTOM_BACKBONE = "file"


# Picture sets that need no folder (studio.core.datasets loads them), with titles for choosers.
SHIPPED_DATASETS: dict[str, str] = {
    "faces": "Faces (100 grey faces from LFW, offline)",
    "textures": "Textures (3,000 grey patches of brick, grass and gravel, offline)",
    "galaxies": "Galaxies (2,000 colour patches of the Hubble Deep Field, offline)",
    "mnist": "MNIST handwritten digits (downloads once)",
    "fashion_mnist": "Fashion-MNIST clothes (downloads once)",
    "cifar10": "CIFAR-10 small photos (downloads once)",
}
GREY_DATASETS = ("faces", "textures", "mnist", "fashion_mnist")
SHIPPED_PICTURES = {
    "faces": 100,
    "textures": 3000,
    "galaxies": 2000,
    "mnist": 70_000,
    "fashion_mnist": 70_000,
    "cifar10": 60_000,
}
# Below these counts a model still trains, but the user is told what to expect.
FEW_PICTURES = {"vae": 100, "gan": 1000}


def size_advice(technique: str, count: int) -> str | None:
    """What to expect from `count` training pictures for a "vae" or "gan", or None when they are enough."""
    if count >= FEW_PICTURES[technique]:
        return None
    if technique == "gan":
        return (
            f"Only {count} pictures: a GAN learns best from thousands. With augmentation it still makes "
            "pictures of their kind, but expect blends and near-copies of them rather than new ones, "
            "and some blotchy samples; a larger set gives more variety."
        )
    return (
        f"Only {count} pictures: expect the VAE to learn their broad traits (pose, light, shape) as "
        "soft, blurred pictures; a few hundred pictures give a richer map."
    )


def presets(technique: str) -> dict[str, dict[str, dict]]:
    """Named presets per backbone for a technique, from studio/resources/presets/<technique>.json."""
    text = resources.files("studio.resources").joinpath("presets", f"{technique}.json").read_text("utf-8")
    return json.loads(text)
