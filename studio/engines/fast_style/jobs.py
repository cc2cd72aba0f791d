"""What the app runs with a saved style model, by file: paint a picture, paint a folder of frames or
a video, paint the gallery's thumbnails. Models are loaded once and kept (a few, newest used last),
so a second click in the gallery paints at once; a model file that changed is loaded again."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from studio.core.image_ops import to_rgb
from studio.core.images import save_image
from studio.core.params.fast_style import FastStyleApplyParams
from studio.core.progress import JobError, Progress
from studio.engines.fast_style.network import FastStyleModel, load_style_model
from studio.engines.fast_style.painting import paint_picture
from studio.engines.fast_style.training import preview_picture
from studio.engines.fast_style.video import paint_frames

KEPT_MODELS = 4  # loaded models kept for the next click (each a few MB)
_loaded: OrderedDict[tuple[str, float], FastStyleModel] = OrderedDict()


def loaded_model(path: str | os.PathLike) -> Iterator[Progress]:
    """The style model in `path` (loaded now unless it is kept and unchanged); a generator, since
    loading the first one also loads TensorFlow."""
    path = Path(path)
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except OSError:
        raise JobError(f"{path.name} was not found. It may have been moved or deleted.") from None
    if key not in _loaded:
        yield Progress(0, 0, f"Loading {path.name}")
        for old in [kept for kept in _loaded if kept[0] == key[0]]:
            del _loaded[old]  # the file changed: its older model is not wanted again
        _loaded[key] = load_style_model(path)
        while len(_loaded) > KEPT_MODELS:
            _loaded.popitem(last=False)
    _loaded.move_to_end(key)
    return _loaded[key]


def paint_picture_job(model_path: str, content: np.ndarray, params: FastStyleApplyParams) -> Iterator[Progress]:
    """Paint `content` with the model in `model_path`; returns the painted picture (the content's size)."""
    model = yield from loaded_model(model_path)
    return (yield from paint_picture(model, content, params))


def paint_frames_job(model_path: str, source: str, output: str, params: FastStyleApplyParams) -> Iterator[Progress]:
    """Paint a video or a folder of frames into `output` (see `paint_frames`); returns the output path."""
    model = yield from loaded_model(model_path)
    return (yield from paint_frames(model, source, output, params))


def thumbnails_job(models: list[tuple[str, str]], side: int) -> Iterator[Progress]:
    """For each (model file, thumbnail file): the fixed preview picture, `side` pixels long, painted
    by the model and saved as the thumbnail. A model that cannot be read gets no thumbnail (the
    gallery says so). Returns the thumbnails written."""
    written = []
    picture = preview_picture(side)
    for index, (model_path, thumbnail_path) in enumerate(models, start=1):
        try:
            model = yield from loaded_model(model_path)
        except JobError:
            continue
        save_image(thumbnail_path, to_rgb(model(picture[None])[0]))
        written.append(thumbnail_path)
        yield Progress(index, len(models), f"Thumbnail {index}/{len(models)}")
    return written
