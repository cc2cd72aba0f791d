"""Painting moving pictures: a video file or a folder of frames, frame by frame, kept steady.

A network paints each frame on its own, so small changes between frames (noise, compression)
can repaint still parts of the scene differently every frame: flicker. Each painted frame is
therefore blended with the previous painted frame where the content did not change, by a weight
that falls as the content's change grows. The audio track is copied into the new video.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter

from studio.core.files import atomic_path
from studio.core.images import SAVE_FORMATS, load_image, save_image
from studio.core.params.fast_style import VIDEO_FORMATS, VIDEO_OUTPUTS, FastStyleApplyParams
from studio.core.progress import JobError, Progress
from studio.engines.fast_style.network import FastStyleModel
from studio.engines.fast_style.painting import check_apply_params, painted_tiles, painter_for

# Content change (mean over RGB, 0..255, smoothed) at which a pixel stops borrowing from the last frame.
CHANGE_SCALE = 12.0


def is_video(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in VIDEO_FORMATS


class Frames:
    """The frames of a video file or of a folder of pictures, with what writing them back needs."""

    def __init__(self, source: str | os.PathLike):
        self.source = Path(source)
        self.audio = False
        self.fps = 25.0
        if self.source.is_dir():
            self.files = sorted(p for p in self.source.iterdir() if p.is_file() and p.suffix.lower() in SAVE_FORMATS)
            if not self.files:
                raise JobError(f"The folder {self.source.name} holds no pictures (PNG, JPEG, WebP or TIFF frames).")
            self.count = len(self.files)
            return
        if not self.source.is_file():
            raise JobError(f"{self.source.name} was not found. It may have been moved or deleted.")
        import imageio.v2 as imageio

        try:
            reader = imageio.get_reader(str(self.source), "ffmpeg")
            meta = reader.get_meta_data()
            self.count = reader.count_frames()
            reader.close()
        except Exception:  # imageio-ffmpeg reports undecodable input with several error types
            raise JobError(
                f"{self.source.name} is not a video Studio can read. Try an MP4 (H.264), MOV, MKV or WebM file."
            ) from None
        if self.count < 1:
            raise JobError(f"{self.source.name} holds no frames.")
        self.fps = float(meta.get("fps") or 25.0)
        self.audio = bool(meta.get("audio_codec"))

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.source.is_dir():
            for path in self.files:
                yield load_image(path)
            return
        import imageio.v2 as imageio

        reader = imageio.get_reader(str(self.source), "ffmpeg")
        try:
            for frame in reader:
                yield np.asarray(frame[..., :3], np.uint8)
        finally:
            reader.close()


def check_video_output(frames: Frames, output: str | os.PathLike) -> Path:
    """Where the painted frames go: a video file (VIDEO_FORMATS) or a folder of PNG frames; a
    JobError, before any work, for anything else."""
    output = Path(output)
    if output.suffix.lower() in VIDEO_OUTPUTS:
        return output
    if output.suffix.lower() in SAVE_FORMATS:
        raise JobError(
            f"{frames.source.name} has {frames.count} frames; save them as a video "
            f"({', '.join(VIDEO_OUTPUTS)}) or into a folder, not as one picture ({output.name})."
        )
    if output.suffix:
        raise JobError(f"Cannot write video as '{output.suffix}': use {', '.join(VIDEO_OUTPUTS)} or a folder.")
    if output.exists() and any(output.iterdir()):
        raise JobError(f"The folder {output.name} is not empty; choose an empty or new folder for the frames.")
    return output


def steady(painted: np.ndarray, content: np.ndarray, previous: tuple[np.ndarray, np.ndarray] | None, amount: float):
    """Blend the painted frame with the previous painted frame where the content did not change.

    `previous` is (previous content, previous painted frame), uint8. The weight on the previous
    painted frame is `amount` where the content is the same, falling to zero as it changes."""
    if previous is None or amount == 0:
        return painted
    previous_content, previous_painted = previous
    change = np.abs(content.astype(np.float32) - previous_content.astype(np.float32)).mean(axis=-1)
    change = gaussian_filter(change, 2.0)
    weight = (amount * np.exp(-((change / CHANGE_SCALE) ** 2)))[..., None]
    blended = weight * previous_painted.astype(np.float32) + (1 - weight) * painted.astype(np.float32)
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def flicker(previous_painted: np.ndarray, painted: np.ndarray, previous_content: np.ndarray, content: np.ndarray):
    """How much a painted frame changed from the previous one where the content did not (mean, 0..255)."""
    still = np.abs(content.astype(np.float32) - previous_content.astype(np.float32)).mean(axis=-1) < 4
    if not still.any():
        return 0.0
    difference = np.abs(painted.astype(np.float32) - previous_painted.astype(np.float32)).mean(axis=-1)
    return float(difference[still].mean())


def paint_frames(
    model: FastStyleModel, source: str | os.PathLike, output: str | os.PathLike, params: FastStyleApplyParams
) -> Iterator[Progress]:
    """Paint every frame of a video file or a folder of frames into `output` (a video file, or a
    folder that gets PNG frames), keeping the audio track of a video. Checks the input and the
    output before painting anything. Yields a Progress per frame (its preview every few frames,
    `metrics["flicker"]`: the mean change of still pixels from the previous painted frame);
    returns the output path. The video appears only when complete (a stop leaves none)."""
    check_apply_params(params)
    frames = Frames(source)
    output = check_video_output(frames, output)
    painter = painter_for(model)
    if output.suffix.lower() in VIDEO_OUTPUTS:
        with atomic_path(output) as temp:
            yield from _paint_all(painter, frames, params, _VideoSink(temp, frames))
    else:
        output.mkdir(parents=True, exist_ok=True)
        yield from _paint_all(painter, frames, params, _FolderSink(output))
    return output


def _paint_all(painter, frames: Frames, params: FastStyleApplyParams, sink) -> Iterator[Progress]:
    previous = None
    preview_every = max(1, frames.count // 50)
    with sink:
        for index, content in enumerate(frames, start=1):
            stage = f"Frame {index}/{frames.count}"
            tiles, count = painter.paint(content, params), painted_tiles(content.shape, params)
            while True:  # large frames: a Progress (a chance to stop) after every tile
                try:
                    tile = next(tiles)
                except StopIteration as stop:
                    painted = stop.value
                    break
                if tile < count:
                    yield Progress(index - 1, frames.count, f"{stage} · tile {tile}/{count}")
            painted = steady(painted, content, previous, params.temporal_smoothing)
            metrics = {} if previous is None else {"flicker": flicker(previous[1], painted, previous[0], content)}
            previous = (content, painted)
            sink.write(painted)
            preview = painted if index == 1 or index % preview_every == 0 else None
            yield Progress(index, frames.count, stage, preview=preview, metrics=metrics)


class _FolderSink:
    def __init__(self, folder: Path):
        self.folder, self.index = folder, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def write(self, frame: np.ndarray) -> None:
        self.index += 1
        save_image(self.folder / f"frame_{self.index:06d}.png", frame)


class _VideoSink:
    """Encodes frames to a video at the source's frame rate, then copies the source's audio in."""

    def __init__(self, path: Path, frames: Frames):
        import imageio.v2 as imageio

        self.path, self.frames = path, frames
        self.silent = path.with_name(f"{path.stem}-silent{path.suffix}") if frames.audio else path
        self.writer = imageio.get_writer(str(self.silent), format="FFMPEG", fps=frames.fps, macro_block_size=1)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        self.writer.close()
        try:
            if kind is None and self.frames.audio:
                add_audio(self.silent, self.frames.source, self.path)
        finally:
            if self.silent != self.path:
                self.silent.unlink(missing_ok=True)
        return False

    def write(self, frame: np.ndarray) -> None:
        # H.264 wants even sides: repeat the last row or column rather than distort the frame.
        height, width = frame.shape[:2]
        self.writer.append_data(np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge"))


def add_audio(video: Path, audio_source: Path, output: Path) -> None:
    """Mux `video`'s picture with `audio_source`'s sound into `output` (audio copied, or re-encoded
    to AAC where the container cannot hold the original codec)."""
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    base = [ffmpeg, "-y", "-loglevel", "error", "-i", str(video), "-i", str(audio_source)]
    base += ["-map", "0:v:0", "-map", "1:a:0?", "-c:v", "copy", "-shortest"]
    for audio_codec in ("copy", "aac"):
        done = subprocess.run([*base, "-c:a", audio_codec, str(output)], capture_output=True, text=True)
        if done.returncode == 0:
            return
    raise JobError(f"Could not copy the sound of {audio_source.name} into the video: {done.stderr.strip()[-300:]}")
