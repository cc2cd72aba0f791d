"""Latent Explorer speed: run by hand, prints numbers.

    python bench/bench_latent.py [--quick]

1. The reference chapter's 30 x 30 grid: one batched decode versus 900 single `predict` calls.
2. Slider-to-image latency with the MNIST-size decoder: engine only (code update + decode), and
   end to end through the tab (slider.setValue -> decode job on the compute thread -> picture
   painted), median and p95, on the page alone and in the main window (whose job list follows
   every job); pictures painted during a fast drag; the live grid.
3. Training throughput of the default VAE and GAN on the shipped faces (images/s after the first
   epoch, so tracing is excluded; also per CPU second, which holds on a shared machine), and the
   longest gap between yields, which is how long a Stop can take. Goal: the GAN at >= 1,000 images/s
   on a quiet 2-core CPU. `--xla` also times the GAN step compiled with XLA (slower on CPU here).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * (len(samples) - 1))] * 1000


def mnist_explorer():
    """The chapter's MNIST VAE (28 x 28 grey, latent 2); untrained weights cost the same to run."""
    from studio.core.params.vae import VaeParams
    from studio.engines.vae import Explorer, Vae

    return Explorer(Vae.build(VaeParams(image_size=28, channels=1, latent_dim=2, filters=(32, 64), seed=0)))


def bench_grid(explorer, loops: int) -> None:
    plane = explorer.plane(extent=1.0)
    explorer.grid(plane, 30)  # warm
    batched = []
    for _ in range(5):
        started = time.perf_counter()
        explorer.grid(plane, 30)
        batched.append(time.perf_counter() - started)
    decoder = explorer.vae.decoder
    codes = plane.codes(30)[:loops]
    decoder.predict(codes[:1], verbose=0)  # warm
    started = time.perf_counter()
    for code in codes:
        decoder.predict(code[None], verbose=0)
    per_call = (time.perf_counter() - started) / len(codes)
    loop_total = per_call * 900
    print(f"30x30 grid, one batched decode: median {median_ms(batched):.0f} ms")
    measured = "" if loops == 900 else f" (extrapolated from {loops} calls)"
    print(f"30x30 grid, 900 predict() calls: {loop_total:.1f} s ({per_call * 1000:.1f} ms each){measured}")
    print(f"  speed-up: {loop_total / statistics.median(batched):.0f}x (goal >= 100x)")


def bench_slider(explorer, events: int) -> None:
    rng = np.random.default_rng(0)
    code = np.zeros(2, np.float32)
    engine = []
    for value in rng.uniform(-2, 2, events):
        started = time.perf_counter()
        code = explorer.with_slider(code, 0, float(value))
        explorer.decode(code)
        engine.append(time.perf_counter() - started)
    print(f"slider -> decoded picture (engine): median {median_ms(engine):.2f} ms, p95 {p95_ms(engine):.2f} ms")

    from PySide6.QtWidgets import QApplication

    from studio.ui.main_window import MainWindow
    from studio.ui.runner import JobRunner
    from studio.ui.settings import Settings
    from studio.ui.vae_page import VaePage

    app = QApplication.instance() or QApplication([])
    runner = JobRunner()
    try:
        with tempfile.TemporaryDirectory() as folder:
            model = os.path.join(folder, "bench.keras")
            explorer.save(model)
            page = VaePage(runner, Settings(folder))
            page.resize(1280, 800)
            page.show()
            bench_tab(app, runner, page, model, rng, events, "page alone")
            window = MainWindow(runner, Settings(folder))
            window.resize(1280, 800)
            window.show()
            tab = window.tab("latent")
            window.tabs_widget.setCurrentWidget(tab)
            bench_tab(app, runner, tab.vae_page, model, rng, events, "main window, with its job list")
            window.close()
    finally:
        runner.shutdown()


def settle(app, runner) -> None:
    while runner.jobs() or any(page_timer.isActive() for page_timer in settle.timers):
        app.processEvents()


def bench_tab(app, runner, page, model: str, rng, events: int, where: str) -> None:
    """Slider -> picture through the tab: the decode is a job on the compute thread, its picture
    arrives back on the GUI thread and is painted (with the grid's marker)."""
    view = page.explorer_view
    settle.timers = [view._full_grid_timer]
    page.open_path(model)
    while page.model is None:
        app.processEvents()
    settle(app, runner)
    page.views.setCurrentIndex(1)
    slider = view.sliders[0]
    idle, gui = [], []
    for value in rng.uniform(slider.minimum(), slider.maximum(), events):
        shown = view.picture_view.image
        started = time.perf_counter()
        slider.setValue(float(value))
        gui.append(time.perf_counter() - started)
        while view.picture_view.image is shown:
            app.processEvents()
        view.picture_view.repaint()
        view.grid_view.repaint()  # the marker moves too
        idle.append(time.perf_counter() - started)
        settle(app, runner)
    print(
        f"slider -> picture painted ({where}, compute thread idle): median {median_ms(idle):.2f} ms, "
        f"p95 {p95_ms(idle):.2f} ms (goal < 16 ms median); GUI thread per move: median {median_ms(gui):.2f} ms"
    )
    painted = []
    show = view.picture_view.set_image
    view.picture_view.set_image = lambda rgb: (painted.append(time.perf_counter()), show(rgb))
    started = time.perf_counter()
    for value in np.linspace(slider.minimum(), slider.maximum(), 400):  # a drag: a move every 2.5 ms
        slider.setValue(float(value))
        until = time.perf_counter() + 0.0025
        while time.perf_counter() < until:
            app.processEvents()
    dragged = time.perf_counter() - started
    settle(app, runner)
    view.picture_view.set_image = show
    print(f"  a 400-move drag over {dragged:.1f} s: {len(painted)} pictures painted, the last one the slider's")
    live = []
    for value in np.linspace(0.5, 3.0, 40):
        shown = view.grid_view.image
        started = time.perf_counter()
        view.extent_slider.setValue(float(value))
        while view.grid_view.image is shown:
            app.processEvents()
        view.grid_view.repaint()
        live.append(time.perf_counter() - started)
        cells = view.grid_view.image.shape[0] // 28
        view._full_grid_timer.stop()
        settle(app, runner)
    print(f"  range slider -> live grid (last {cells}x{cells}) painted: median {median_ms(live):.1f} ms")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def training_rate(job, batch_size: int, label: str) -> None:
    """Images/s between the end of the first epoch (tracing and the pacer's ramp excluded) and the
    end of the run, in wall time and per CPU second (honest on a shared machine), and the longest
    gap between two yields (the time a Stop can take to land)."""
    stamps, gaps, last = [], [], None
    while True:
        try:
            event = next(job)
        except StopIteration:
            break
        now = time.perf_counter()
        if last is not None and event.step > 0:
            gaps.append(now - last)
        last = now
        if event.preview is not None and event.data.get("epoch"):
            stamps.append((now, cpu_seconds(), event.step))
    (wall0, cpu0, step0), (wall1, cpu1, step1) = stamps[0], stamps[-1]
    images = (step1 - step0) * batch_size
    print(
        f"{label}: {images / (wall1 - wall0):.0f} images/s wall, {images / (cpu1 - cpu0):.0f} images per CPU second "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); longest gap between yields "
        f"{max(gaps[len(gaps) // 4 :]):.2f} s"
    )


def bench_vae_training(epochs: int) -> None:
    from studio.core.datasets import load_pictures
    from studio.core.params.vae import VaeParams
    from studio.engines.vae import train_vae

    params = VaeParams(epochs=epochs, seed=0)
    faces = load_pictures("faces", params.image_size, params.channels)
    training_rate(
        train_vae(faces, params),
        params.batch_size,
        f"VAE training (defaults: {params.image_size} px grey, latent {params.latent_dim}, batch {params.batch_size})",
    )


def bench_gan_training(epochs: int, jit_compile: bool) -> None:
    from studio.core.datasets import load_pictures
    from studio.core.params.gan import GanParams
    from studio.engines import gan

    gan.JIT_COMPILE = jit_compile
    params = GanParams(epochs=epochs, seed=0)
    faces = load_pictures("faces", params.image_size, params.channels)
    training_rate(
        gan.train_gan(faces, params),
        params.batch_size,
        f"GAN training (defaults: {params.image_size} px grey, latent {params.latent_dim}, batch {params.batch_size}, "
        f"width {params.base_filters}, XLA {'on' if jit_compile else 'off'})",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (extrapolates the predict loop)")
    parser.add_argument("--training-only", action="store_true", help="only the training throughput")
    parser.add_argument("--xla", action="store_true", help="also time the GAN step compiled with XLA")
    args = parser.parse_args()
    import tensorflow as tf

    print(
        f"TensorFlow {tf.__version__}, devices: {[d.device_type for d in tf.config.list_physical_devices()]}, "
        f"CPU cores: {os.cpu_count()}"
    )
    if not args.training_only:
        explorer = mnist_explorer()
        bench_grid(explorer, loops=100 if args.quick else 900)
        bench_slider(explorer, events=100 if args.quick else 300)
    bench_vae_training(epochs=3 if args.quick else 6)
    bench_gan_training(epochs=3 if args.quick else 6, jit_compile=False)
    if args.xla:
        bench_gan_training(epochs=3, jit_compile=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
