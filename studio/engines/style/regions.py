"""Style inside a mask, or one style per region: the styles that paint inside the mask are
transferred together, those that paint outside it together, and the results are blended through
the mask. Where no style paints, the content picture stays exactly as it was."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import numpy as np

from studio.core.images import resized
from studio.core.params.style import REGIONS, StyleParams
from studio.core.progress import JobError, Progress, relayed
from studio.engines.style.job import stylize_job

Painter = Callable[..., Iterator[Progress]]  # (content, styles, params, init_image) -> events, returns the picture


def style_groups(params: StyleParams, num_styles: int) -> list[tuple[str, list[int]]]:
    """(region, indices of the styles that paint there) for each region some style paints."""
    regions = params.style_regions or ("inside",) * num_styles
    if len(regions) != num_styles or not set(regions) <= set(REGIONS):
        raise JobError(f"Give each style picture a region: {' or '.join(REGIONS)} the mask.")
    groups = [(region, [index for index, where in enumerate(regions) if where == region]) for region in REGIONS]
    return [(region, indices) for region, indices in groups if indices]


def stylize_in_regions(
    content: np.ndarray,
    styles: list[np.ndarray],
    params: StyleParams,
    mask: np.ndarray,
    paint: Painter,
    init_image: np.ndarray | None = None,
) -> Iterator[Progress]:
    """Paint `content` with each region's styles (`paint` runs one style transfer) and blend the
    results through `mask` (floats in [0, 1] at the content's size; 1 is inside). Previews show the
    blend as it will be. Returns the uint8 RGB result, `params.size` on its long side."""
    if mask.shape != content.shape[:2]:
        raise JobError("The mask must be the same size as the content picture.")
    groups = style_groups(params, len(styles))
    painted: dict[str, np.ndarray] = {}
    for number, (region, indices) in enumerate(groups):
        blend = tuple(params.style_blend[index] for index in indices) if params.style_blend else ()
        region_params = dataclasses.replace(params, style_blend=blend, style_regions=())
        events = paint(content, [styles[index] for index in indices], region_params, init_image)
        painted[region] = yield from _blended_events(events, content, mask, painted, region, number, len(groups))
    return _blend(content, mask, painted, next(iter(painted.values())).shape[:2])


def _blend(content: np.ndarray, mask: np.ndarray, painted: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """The picture at `shape`: inside from painted["inside"], outside from painted["outside"], the
    content wherever a region has no painting (yet)."""
    base = resized(content, shape)
    alpha = np.clip(resized(mask, shape), 0.0, 1.0)[..., None]
    inside = resized(painted["inside"], shape) if "inside" in painted else base
    outside = resized(painted["outside"], shape) if "outside" in painted else base
    return (alpha * inside + (1 - alpha) * outside + 0.5).astype(np.uint8)


def _blended_events(
    events: Iterator[Progress],
    content: np.ndarray,
    mask: np.ndarray,
    painted: dict[str, np.ndarray],
    region: str,
    number: int,
    count: int,
) -> Iterator[Progress]:
    """Pass one region's events on, counted as part of the whole job, with previews and checkpoints
    blended into the picture as it stands; return the region's painting."""

    def blended(event: Progress) -> Progress:
        pictures = {
            key: _blend(content, mask, {**painted, region: picture}, picture.shape[:2])
            for key, picture in (("preview", event.preview), ("checkpoint", event.data.get("checkpoint")))
            if picture is not None
        }
        return dataclasses.replace(
            event,
            step=number * event.total + event.step,
            total=count * event.total,
            stage=f"{region.title()} the mask · {event.stage}" if count > 1 else event.stage,
            preview=pictures.get("preview"),
            data={**event.data, **({"checkpoint": pictures["checkpoint"]} if "checkpoint" in pictures else {})},
        )

    return relayed(events, blended)


def stylize_regions_job(
    content: np.ndarray,
    styles: list[np.ndarray],
    params: StyleParams,
    mask: np.ndarray,
    init_image: np.ndarray | None = None,
) -> Iterator[Progress]:
    """What the app runs for a masked style transfer: each region through `stylize_job`."""
    return (yield from stylize_in_regions(content, styles, params, mask, stylize_job, init_image))
