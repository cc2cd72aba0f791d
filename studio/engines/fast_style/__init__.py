"""Fast style transfer (Johnson et al. 2016): train a network once to paint in a style, then paint
any picture, folder of frames or video with it in a single forward pass per frame.

Training uses the Style engine's perceptual losses (content, Gram-matrix style, total variation)
on the offline VGG16, over random crops of the shipped photos and faces and the user's pictures.
"""

from studio.engines.fast_style.network import FastStyleModel, build_transformer, load_style_model, save_style_model
from studio.engines.fast_style.painting import apply_style, paint_picture
from studio.engines.fast_style.training import train_style, train_style_job

__all__ = [
    "FastStyleModel",
    "apply_style",
    "build_transformer",
    "load_style_model",
    "paint_picture",
    "save_style_model",
    "train_style",
    "train_style_job",
]
