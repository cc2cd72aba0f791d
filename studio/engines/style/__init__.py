"""Neural style transfer (Gatys et al. 2015): optimise a picture so that a convnet sees the content
of one picture in it (activations of an upper layer) and the textures of others (Gram matrices of
activations over several layers), while total variation keeps it smooth.

Faster than the textbook loop because the targets (content activations, style Gram matrices) are
computed once per scale, only the picture being optimised goes through the network each step,
L-BFGS needs far fewer steps than gradient descent, and most steps run on small pictures
(coarse-to-fine). Pictures larger than a tile are evaluated tile by tile, so memory stays bounded.
"""

from studio.engines.style.colour import to_yiq
from studio.engines.style.job import stylize, stylize_job
from studio.engines.style.losses import content_loss, gram_matrix, style_loss, total_variation_loss
from studio.engines.style.objective import StyleObjective, objective_for

__all__ = [
    "StyleObjective",
    "content_loss",
    "gram_matrix",
    "objective_for",
    "style_loss",
    "stylize",
    "stylize_job",
    "to_yiq",
    "total_variation_loss",
]
