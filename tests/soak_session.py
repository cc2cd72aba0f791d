"""A long session in the real app, compressed: run as a script in a fresh interpreter by test_soak.py.

Every engine is replaced by a fake that streams small frames, metrics or text tokens as fast as it
can, so a few hundred jobs and a hundred thousand events pass through the real main window, its
tabs, the runner and the event loop in under a minute. The session then quits through the app's
normal path (closing the window); the parent test checks the exit status, stderr and the settings.

Prints one line: "soak jobs=N events=N tokens=N" with what the GUI thread received.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import numpy as np

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton  # noqa: E402

from studio.core.job_targets import TARGETS  # noqa: E402
from studio.core.progress import Progress  # noqa: E402
from studio.ui import runner as runner_module  # noqa: E402

ROUNDS = int(os.environ.get("SOAK_ROUNDS", "40"))
EVENTS_PER_JOB = 260
TOKENS_PER_WRITE = 1500
FRAME = (24, 32, 3)


def streamed_frames(**_kwargs):
    """A picture job: many steps, each with a new preview frame and a loss."""
    frame = np.zeros(FRAME, np.uint8)
    for step in range(EVENTS_PER_JOB):
        frame = np.full(FRAME, step % 256, np.uint8)
        yield Progress(step, EVENTS_PER_JOB, "fake step", preview=frame, metrics={"loss": 1.0 / (step + 1)})
    return frame


def trained_text_model(model_path: str, **_kwargs):
    """Text training: loss curves, then a model file to write with (the engine checkpoints into it)."""
    os.makedirs(os.path.dirname(model_path), exist_ok=True)
    with open(model_path, "wb") as model_file:
        model_file.write(b"fake model")
    for step in range(EVENTS_PER_JOB):
        yield Progress(step, EVENTS_PER_JOB, "fake epoch", metrics={"loss": 1.0 / (step + 1)})
    return {"history": [], "epochs": 1, "path": model_path}


def endless_training(**_kwargs):
    """VAE or GAN training at a steady pace, sample pictures and losses, until the artist stops it."""
    step = 0
    while True:
        yield Progress(step, 0, "fake epoch", preview=np.full(FRAME, step % 256, np.uint8), metrics={"loss": 1.0})
        step += 1
        time.sleep(0.001)


def streamed_tokens(**_kwargs):
    written = []
    for step in range(TOKENS_PER_WRITE):
        token = "word " if step % 12 else "\n"
        written.append(token)
        yield Progress(step, TOKENS_PER_WRITE, "writing", text=token)
    return "".join(written)


def device(**_kwargs):
    yield Progress(0, 1, "Loading TensorFlow")
    return "CPU"


def described_model(**_kwargs):
    yield Progress(0, 1, "reading")
    params = {"architecture": "lstm", "size": "small", "level": "char"}
    return {"params": params, "history": [], "vocabulary": 40, "epochs_done": 1}


def summarized_corpus(**_kwargs):
    yield Progress(0, 1, "reading")

    class Summary:
        def describe(self) -> str:
            return "fake corpus"

    return Summary()


# Engine functions by their module's last name and their own ("vae:train_job").
FAKES = {
    "compute:warm_up": device,
    "dream:dream_job": streamed_frames,
    "style:stylize_job": streamed_frames,
    "text:train_job": trained_text_model,
    "text:generate_job": streamed_tokens,
    "text:describe_model_job": described_model,
    "corpus:summarize": summarized_corpus,
    "vae:train_job": endless_training,
    "gan:train_gan_job": endless_training,
}


def fake_start(job):
    """Run the fake that stands in for the engine function `job` names."""
    module, _, function = TARGETS[job.target].partition(":")
    name = f"{module.rpartition('.')[2]}:{function}"
    if name not in FAKES:
        raise RuntimeError(f"The soak session has no fake for {job.target}")
    return FAKES[name](**job.kwargs)


runner_module.Job.start = fake_start

received = {"jobs": 0, "events": 0, "tokens": 0}
original_run = runner_module.JobRunner.run


def counting_run(self, job, *args, **kwargs):
    handle = original_run(self, job, *args, **kwargs)
    received["jobs"] += 1

    def count(event):
        received["events"] += 1
        if event.text:
            received["tokens"] += 1

    handle.progress.connect(count)
    return handle


runner_module.JobRunner.run = counting_run


def button(widget, text: str) -> QPushButton:
    """The visible button labelled `text` inside `widget` (what a user would click)."""
    found = [b for b in widget.findChildren(QPushButton) if b.text() == text and b.isVisibleTo(widget)]
    if len(found) != 1:
        raise RuntimeError(f"expected one '{text}' button in {type(widget).__name__}, found {len(found)}")
    return found[0]


async def until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the session stopped making progress")
        await asyncio.sleep(0.005)


def idle(window) -> bool:
    return not window.runner.jobs()


async def click_and_wait(window, widget, text: str) -> None:
    await until(lambda: button(widget, text).isEnabled())
    button(widget, text).click()
    await until(lambda: idle(window))


async def session(window) -> None:
    tabs = window.tabs_widget
    dream, style, text, latent = (window.tab(key) for key in ("dream", "style", "text", "latent"))
    tabs.setCurrentWidget(text)
    await click_and_wait(window, text, "Train")  # one model to write with for the rest of the session
    for round_done in range(ROUNDS):
        print(f"round {round_done} of {ROUNDS}", flush=True)  # how far it got, should it run out of time
        for tab, label in ((dream, "Dream"), (style, "Stylize")):
            tabs.setCurrentWidget(tab)
            await click_and_wait(window, tab, label)
        tabs.setCurrentWidget(text)
        await click_and_wait(window, text, "Generate")
        tabs.setCurrentWidget(latent)
        for mode in ("vae", "gan"):
            latent.set_mode(mode)
            page = latent.pages.currentWidget()
            before = received["events"]
            button(page, "Train").click()
            await until(lambda before=before: received["events"] > before + EVENTS_PER_JOB // 3)
            await click_and_wait(window, page, "Stop")  # part-way through, the artist stops it
    window.close()


def start(app) -> None:
    from studio.ui.main_window import MainWindow

    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    future = asyncio.ensure_future(session(window))

    def report(done):
        if done.exception() is not None:
            print(f"soak failed: {done.exception()!r}", file=sys.stderr, flush=True)
            os._exit(3)
        print(f"soak jobs={received['jobs']} events={received['events']} tokens={received['tokens']}", flush=True)

    future.add_done_callback(report)


if __name__ == "__main__":
    from studio.ui.app import main

    application = QApplication(["studio"])
    QTimer.singleShot(0, lambda: start(application))
    sys.exit(main(["studio"]))
