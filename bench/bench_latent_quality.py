"""Is the Latent Explorer worth exploring? Trains (or opens) a VAE and a GAN and prints figures.

    python bench/bench_latent_quality.py vae [--model M.keras] [--out DIR] [--set faces] [--steps N]
    python bench/bench_latent_quality.py gan [--model M.keras] [--out DIR] [--set faces] [--steps N]

Without --model it trains on the defaults (what a new user gets) and reports the CPU seconds used.
With --out it saves the pictures the figures are about (grid, reconstructions, slider sweep,
samples) as PNG, to look at.

Figures, and why:
- VAE grid spread: the 10 x 10 grid over the explorer's default plane, each cell normalised to
  zero mean and unit variance (so a grid that only brightens scores 0), then the standard
  deviation across cells, averaged over pixels. 0 = one picture repeated; the training faces
  themselves score about 1.
- VAE reconstruction / mean face: mean absolute error of decode(encode(face)) over the training
  faces, divided by that of the mean face. 1.0 = no better than showing the mean face.
- VAE slider motion: mean absolute change (grey levels of 255) of the decoded picture when a
  slider moves across the range the explorer gives it (3 spreads either side), averaged over sliders.
- GAN diversity: mean pairwise RMS distance between 64 samples (each normalised), divided by the
  same for the real faces. 0 = every sample the same; 1 = as varied as the faces.
- GAN nearest face: RMS distance from each normalised sample to its nearest normalised real face,
  divided by the same distance from each real face to its nearest other face. About 1 = samples
  sit among the faces as the faces sit among each other; far above = not faces; near 0 = copies.
- GAN face-likeness (distance from face space): the share of a normalised sample's energy that
  the first 16 eigenfaces of the real faces (and their mirror images) cannot explain, divided by
  the same share for a real face left out of the eigenfaces. About 1 = as face-like as an unseen
  real face; well above 1 = ridges, blotches and other things that are not faces.
- GAN checkerboard: share of the spectrum's energy (DC removed) in the Nyquist row and column (the
  +1 -1 +1 pattern a transposed convolution leaves), divided by the same share for the real faces.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def normalised(pictures: np.ndarray) -> np.ndarray:
    """(N, ...) pictures as flat rows of zero mean and unit variance (brightness and contrast removed)."""
    flat = pictures.reshape(len(pictures), -1).astype(np.float64)
    flat = flat - flat.mean(axis=1, keepdims=True)
    return flat / np.maximum(flat.std(axis=1, keepdims=True), 1e-6)


def spread(pictures: np.ndarray) -> float:
    """Standard deviation across normalised pictures, averaged over pixels."""
    return float(normalised(pictures).std(axis=0).mean())


def pairwise_rms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """RMS distances between the rows of a and b (normalised pictures)."""
    squared = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(squared, 0) / a.shape[1])


def diversity(pictures: np.ndarray) -> float:
    rows = normalised(pictures)
    distances = pairwise_rms(rows, rows)
    return float(distances[np.triu_indices(len(rows), 1)].mean())


def nearest_distance(samples: np.ndarray, real: np.ndarray) -> float:
    return float(pairwise_rms(normalised(samples), normalised(real)).min(axis=1).mean())


def real_nearest_distance(real: np.ndarray) -> float:
    rows = normalised(real)
    distances = pairwise_rms(rows, rows)
    np.fill_diagonal(distances, np.inf)
    return float(distances.min(axis=1).mean())


EIGENFACES = 16


def eigenfaces(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, the first EIGENFACES principal components) of the normalised faces and their mirror images."""
    rows = normalised(np.concatenate([faces, faces[:, :, ::-1]]))
    mean = rows.mean(axis=0)
    _, _, components = np.linalg.svd(rows - mean, full_matrices=False)
    return mean, components[:EIGENFACES]


def unexplained_share(pictures: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Per picture, the share of its normalised energy outside the span of the eigenfaces."""
    rows = normalised(pictures)
    centred = rows - mean
    residual = centred - (centred @ components.T) @ components
    return (residual**2).sum(axis=1) / (rows**2).sum(axis=1)


def face_likeness(samples: np.ndarray, faces: np.ndarray) -> float:
    """Distance from face space of the samples over that of real faces, each scored leave-one-out."""
    held_out = [
        unexplained_share(faces[index : index + 1], *eigenfaces(np.delete(faces, index, axis=0)))[0]
        for index in range(len(faces))
    ]
    return float(unexplained_share(samples, *eigenfaces(faces)).mean() / np.mean(held_out))


def nyquist_share(pictures: np.ndarray) -> float:
    """Share of spectral energy (DC removed) in the highest-frequency row and column."""
    grey = pictures.astype(np.float64).mean(axis=-1) if pictures.ndim == 4 else pictures.astype(np.float64)
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(grey)) ** 2
    side = grey.shape[1]
    nyquist = power[:, side // 2, :].sum() + power[:, :, side // 2].sum() - power[:, side // 2, side // 2].sum()
    return float(nyquist / max(power.sum(), 1e-9))


def save_png(out: Path | None, name: str, rgb: np.ndarray, scale: int = 4) -> None:
    if out is None:
        return
    from studio.core.images import enlarge, save_image

    out.mkdir(parents=True, exist_ok=True)
    save_image(out / name, enlarge(rgb, scale))
    print(f"  saved {out / name}")


def train_timed(job):
    from studio.core.progress import run_to_end

    wall, cpu = time.perf_counter(), cpu_seconds()
    events, result = run_to_end(job)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    load = os.getloadavg()[0]
    print(f"trained: {wall:.0f} s wall, {cpu:.0f} CPU s, load average {load:.1f} on {os.cpu_count()} cores")
    if events and events[-1].metrics:
        print("  last metrics: " + ", ".join(f"{k}={v:.4g}" for k, v in events[-1].metrics.items()))
    for event in events:
        if event.data.get("warning"):
            print(f"  warning: {event.data['warning']}")
            break
    return result


def vae_figures(explorer, faces: np.ndarray, out: Path | None) -> None:
    from studio.engines.latent import tile_images

    grid_side = 10
    plane = explorer.plane(0, 1, extent=1.0) if explorer.slider_count >= 2 else None
    cells = explorer.decode(plane.codes(grid_side))[..., :1] if plane is not None else None
    rgb = np.repeat(faces, 3, axis=3) if faces.shape[-1] == 1 else faces
    codes = explorer.encode(list(rgb))
    decoded = explorer.decode(codes)[..., : faces.shape[-1]].astype(np.float64)
    error = np.abs(decoded - faces).mean()
    mean_face_error = np.abs(faces.mean(axis=0, keepdims=True) - faces).mean()
    motions = []
    for index in range(explorer.slider_count):
        reach = max(3.0 * float(explorer.spread[index]), 1.0)
        ends = [explorer.with_slider(explorer.center, index, value) for value in (-reach, reach)]
        low, high = explorer.decode(np.stack(ends)).astype(np.float64)
        motions.append(np.abs(high - low).mean())
    a_to_b = explorer.interpolation(codes[0], codes[1], 12)
    print(f"VAE grid spread (10x10, extent 1): {spread(cells) if cells is not None else float('nan'):.3f}")
    print(f"  faces themselves: {spread(faces):.3f}")
    print(
        f"VAE reconstruction MAE {error:.1f} vs mean face {mean_face_error:.1f} "
        f"(ratio {error / mean_face_error:.2f}, lower is better)"
    )
    print(
        f"VAE slider motion over the slider's range: mean {np.mean(motions):.1f} grey levels, "
        f"per slider {[round(float(m), 1) for m in motions]}"
    )
    print(
        f"VAE A-to-B (two faces) mean frame-to-frame change: "
        f"{np.mean([np.abs(a.astype(float) - b).mean() for a, b in zip(a_to_b[:-1], a_to_b[1:])]):.2f} levels"
    )
    if cells is not None:
        save_png(out, "vae_grid.png", tile_images(cells, grid_side, gap=1))
    pairs = np.concatenate(
        [np.repeat(faces[:16], 3, axis=3) if faces.shape[-1] == 1 else faces[:16], explorer.decode(codes[:16])]
    )
    save_png(out, "vae_reconstructions.png", tile_images(pairs, 16, gap=1))
    save_png(out, "vae_sliders.png", explorer.slider_sheet(steps=7, reach=3.0))
    save_png(out, "vae_a_to_b.png", tile_images(np.stack(a_to_b), 12, gap=1))


def gan_figures(model, faces: np.ndarray, out: Path | None) -> None:
    from studio.engines.gan import generate, sample_latents
    from studio.engines.latent import tile_images

    samples = generate(model, sample_latents(64, model.latent_dim, seed=0))
    real_diversity = diversity(faces)
    print(
        f"GAN diversity: {diversity(samples) / real_diversity:.2f} of the faces' "
        f"({diversity(samples):.3f} vs {real_diversity:.3f})"
    )
    real_nearest = real_nearest_distance(faces)
    print(
        f"GAN nearest real face: {nearest_distance(samples, faces) / real_nearest:.2f} x the faces' own "
        f"({nearest_distance(samples, faces):.3f} vs {real_nearest:.3f})"
    )
    many = generate(model, sample_latents(512, model.latent_dim, seed=1))
    print(
        f"GAN distance from face space: {face_likeness(many, faces):.2f} x an unseen real face's "
        "(lower is more face-like)"
    )
    print(
        f"GAN checkerboard (Nyquist energy share): {nyquist_share(samples) / nyquist_share(faces):.1f} x the faces' "
        f"({nyquist_share(samples):.4f} vs {nyquist_share(faces):.4f})"
    )
    save_png(out, "gan_samples.png", tile_images(samples, 8, gap=1))
    save_png(out, "gan_real.png", tile_images(faces[:64], 8, gap=1))
    try:
        from studio.engines.gan import GanExplorer, project_job
    except ImportError:
        return  # the engine before principal directions and projection
    from studio.core.progress import run_to_end

    explorer = GanExplorer(model)
    print(f"GAN principal directions explain {[round(float(e), 3) for e in explorer.explained]} of the features")
    save_png(out, "gan_directions.png", explorer.slider_sheet(steps=7, reach=2.0))
    rgb = np.repeat(faces[:4], 3, axis=3) if faces.shape[-1] == 1 else faces[:4]
    pairs = []
    for face in rgb:
        _, result = run_to_end(project_job(model, face, steps=200))
        print(
            f"GAN projection of a face: loss {result['start_loss']:.3f} at the best random start, "
            f"{result['loss']:.3f} after"
        )
        pairs += [face, result["picture"]]
    save_png(out, "gan_projections.png", tile_images(np.stack(pairs), 8, gap=1))


def overridden(params, settings: list[str]):
    """`params` with NAME=VALUE settings (values read as Python literals) for trying variants."""
    import ast
    import dataclasses

    changes = {}
    for setting in settings:
        name, value = setting.split("=", 1)
        changes[name] = ast.literal_eval(value)
    return dataclasses.replace(params, **changes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("technique", choices=("vae", "gan"))
    parser.add_argument("--model", help="a saved .keras model to measure instead of training one")
    parser.add_argument("--set", default="faces", help="the shipped set or folder to train on and compare with")
    parser.add_argument("--out", type=Path, help="folder for the PNGs")
    parser.add_argument("--save", help="save the trained model here (.keras)")
    parser.add_argument("--set-param", action="append", default=[], metavar="NAME=VALUE", help="override a default")
    args = parser.parse_args()
    import keras

    from studio.core.datasets import load_pictures

    if args.technique == "vae":
        from studio.core.params.vae import VaeParams
        from studio.engines.vae import Explorer, Vae, train_job

        if args.model:
            explorer = Explorer(Vae.load(args.model))
        else:
            keras.utils.set_random_seed(0)
            explorer = train_timed(train_job(overridden(VaeParams(dataset=args.set, seed=0), args.set_param)))
        if args.save:
            explorer.save(args.save)
        params = explorer.vae.params
        faces = load_pictures(args.set, params.image_size, params.channels)
        vae_figures(explorer, faces, args.out)
    else:
        from studio.core.params.gan import GanParams
        from studio.engines.gan import load_gan, save_gan, train_gan_job

        if args.model:
            model = load_gan(args.model)
        else:
            model = train_timed(train_gan_job(overridden(GanParams(dataset=args.set, seed=0), args.set_param)))
        if args.save:
            save_gan(model, args.save)
        params = model.params
        faces = load_pictures(args.set, params.image_size, params.channels)
        gan_figures(model, faces, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
