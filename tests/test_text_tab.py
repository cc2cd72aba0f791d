"""Text tab: the sample corpus trains at once, samples appear per temperature, the model writes
(several samples side by side), a reply model answers a line, and Train never replaces a model
without asking."""

from __future__ import annotations

import json
import os

import fake_engines
from PySide6.QtWidgets import QMessageBox

from studio.core.corpus import BUILTIN_CORPUS
from studio.ui.settings import Settings
from studio.ui.text_tab import TextTab
from studio.ui.widgets.model_training import TRAIN_QUESTION

WAIT_MS = 60_000


def epochs_in(path) -> int:
    """The epochs a model made by fake_engines.text_train holds."""
    return json.loads(path.read_text())["epochs"]


def make_tab(qtbot, runner) -> TextTab:
    tab = TextTab(runner, Settings())
    qtbot.addWidget(tab)
    tab.resize(1280, 820)
    return tab


def test_trains_one_short_epoch_shows_samples_and_writes(qtbot, runner, tmp_path):
    tab = make_tab(qtbot, runner)
    assert tab.corpus.paths == [BUILTIN_CORPUS] and "pydoc_data" in tab.corpus.drop_zone.title.text()
    qtbot.waitUntil(lambda: "distinct" in tab.corpus.drop_zone.summary.text(), timeout=30_000)
    assert not tab.writer.generate_button.isEnabled()

    tab.training.form.update(
        epochs=1, steps_per_epoch=4, batch_size=8, sequence_length=24, sample_prompt="The ", sample_length=20
    )
    writable_while_training = []
    handle = tab.training.start(resume=False)
    handle.progress.connect(lambda _event: writable_while_training.append(tab.writer.generate_button.isEnabled()))
    with qtbot.waitSignal(handle.finished, timeout=WAIT_MS):
        pass
    assert writable_while_training and not any(writable_while_training), "writing waits until training stops"
    samples = tab.training_view.samples.texts()
    assert len(samples) == 5 and all(text.startswith("The ") and len(text) > len("The ") for text in samples)
    assert tab.training_view.loss_plot.series["loss"] and tab.training_view.loss_plot.series["val_loss"]
    assert tab.writer.generate_button.isEnabled() and tab.training.resume_button.isEnabled() and tab.model.exists()
    if os.environ.get("STUDIO_SCREENSHOT"):
        tab.grab().save(os.environ["STUDIO_SCREENSHOT"])

    tab.sampling_form.update(prompt="def ", length=15, seed=3)
    with qtbot.waitSignal(tab.writer.write().finished, timeout=30_000):
        pass
    (written,) = tab.writer.output.texts()
    assert written.startswith("def ") and len(written) > len("def ")

    with qtbot.waitSignal(tab.writer.suggest_next().finished, timeout=30_000):
        pass
    assert tab.writer.suggestions.isVisibleTo(tab) and tab.writer.suggestions.count() > 0
    tab.writer.take_suggestion(tab.writer.suggestions.item(0))
    assert len(tab.writer.output.texts()[0]) > len(written)
    with qtbot.waitSignal(tab.jobs.handle("write").finished, timeout=30_000):
        pass  # picking a token asks for the next suggestions
    assert tab.writer.suggestions.count() > 0


def test_several_samples_stream_side_by_side(qtbot, runner, fake_target):
    for name in ("train", "describe_model", "generate"):
        fake_target(f"text.{name}", f"text_{name.split('_')[0]}")
    tab = make_tab(qtbot, runner)
    tab.training.form.update(epochs=1)
    with qtbot.waitSignal(tab.training.start(resume=False).finished, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: tab.model.epochs_done == 1, timeout=WAIT_MS)
    assert tab.writer.isVisibleTo(tab) and not tab.reply_panel.isVisibleTo(tab)

    tab.sampling_form.update(prompt="Once ", samples=3)
    shown_while_streaming = []
    handle = tab.writer.write()
    handle.progress.connect(lambda _event: shown_while_streaming.append(tab.writer.output.texts()))
    with qtbot.waitSignal(handle.finished, timeout=WAIT_MS):
        pass
    assert fake_engines.calls[-1]["params"].samples == 3
    assert [title.text() for title in tab.writer.output.titles] == [f"<b>Sample {n}</b>" for n in (1, 2, 3)]
    assert tab.writer.output.texts() == [
        f"Once sample{row}-chunk0 sample{row}-chunk1 sample{row}-chunk2 " for row in range(3)
    ]
    assert [len(set(texts)) for texts in shown_while_streaming] == [3, 3, 3], "each sample in its own column"
    assert [texts[0].count("chunk") for texts in shown_while_streaming] == [1, 2, 3]


def test_a_reply_model_answers_a_line_in_the_reply_panel(qtbot, runner, fake_target):
    for name in ("train", "describe_model", "generate"):
        fake_target(f"text.{name}", f"text_{name.split('_')[0]}")
    tab = make_tab(qtbot, runner)
    assert not tab.training.form.editor("bidirectional").isVisibleTo(tab)  # a language model has no encoder
    tab.training.form.update(architecture="seq2seq", epochs=1, sample_prompt="how are you?")
    assert tab.training.form.editor("bidirectional").isVisibleTo(tab) and tab.training.form.params().bidirectional
    with qtbot.waitSignal(tab.training.start(resume=False).finished, timeout=WAIT_MS):
        pass
    assert "answers “how are you?”" in tab.training_view.title.text()
    qtbot.waitUntil(lambda: tab.model.replies, timeout=WAIT_MS)
    assert tab.reply_panel.isVisibleTo(tab) and not tab.writer.isVisibleTo(tab)
    assert not tab.sampling_form.editor("prompt").isVisibleTo(tab), "a reply answers the line typed"

    tab.sampling_form.update(samples=2)
    tab.reply_panel.line.setText("how are you?")
    shown_while_streaming = []
    handle = tab.reply_panel.reply()
    handle.progress.connect(lambda _event: shown_while_streaming.append(tab.reply_panel.replies.texts()))
    with qtbot.waitSignal(handle.finished, timeout=WAIT_MS):
        pass
    assert fake_engines.calls[-1]["params"].prompt == "how are you?"
    assert tab.reply_panel.replies.texts() == [
        f"› how are you?\nsample{row}-chunk0 sample{row}-chunk1 sample{row}-chunk2 \n\n" for row in (0, 1)
    ]
    assert [texts[0].count("chunk") for texts in shown_while_streaming] == [1, 2, 3], "the replies stream in"


def test_bad_corpus_is_reported_in_the_drop_zone(qtbot, runner, tmp_path):
    tab = make_tab(qtbot, runner)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    tab.corpus.set_paths([str(empty)])
    qtbot.waitUntil(lambda: "is empty" in tab.corpus.drop_zone.summary.text(), timeout=30_000)
    tab.training.form.update(architecture="seq2seq", pairs="tsv", layers=2, temperatures=(0.3, 0.9))
    tab.sampling_form.update(samples=4, repetition_penalty=1.5, stop_at="line")
    state = tab.state()
    other = make_tab(qtbot, runner)
    other.restore_state(state)
    assert other.corpus.paths == [str(empty)] and other.training.form.params() == tab.training.form.params()
    assert other.sampling_form.params() == tab.sampling_form.params()
    assert other.training.temperatures.text() == "0.3, 0.9"
    assert other.sampling_form.editor("top_k").text() == "off" and other.sampling_form.params().top_k == 0


def test_stop_keeps_the_last_epoch_and_resume_finishes_the_run(qtbot, runner):
    tab = make_tab(qtbot, runner)
    tab.training.form.update(
        architecture="gru", epochs=100, steps_per_epoch=2, batch_size=4, sequence_length=16, sample_length=10
    )
    handle = tab.training.start(resume=False)
    assert tab.training.stop_button.isEnabled() and not tab.training.train_button.isEnabled()
    qtbot.waitUntil(lambda: "Epoch" in tab.training_view.title.text(), timeout=WAIT_MS)
    with qtbot.waitSignal(handle.cancelled, timeout=30_000):
        tab.training.stop_button.click()
    assert tab.training.resume_button.isEnabled() and not tab.training.stop_button.isEnabled()
    epochs_done = int(tab.training_view.title.text().split()[1].rstrip(":"))
    tab.training.form.update(epochs=epochs_done + 1)
    with qtbot.waitSignal(tab.training.start(resume=True).finished, timeout=WAIT_MS) as finished:
        pass
    assert finished.args[0]["epochs"] == epochs_done + 1 and len(finished.args[0]["history"]) == epochs_done + 1
    assert f"Epoch {epochs_done + 1}:" in tab.training_view.title.text()
    qtbot.waitUntil(lambda: f"{epochs_done + 1} epochs" in tab.model.label.text(), timeout=30_000)


def test_train_on_a_trained_model_asks_and_replaces_nothing_unasked(qtbot, runner, fake_target):
    fake_target("text.train", "text_train")
    fake_target("text.describe_model", "text_describe")
    tab = make_tab(qtbot, runner)
    form = tab.training.form
    form.update(epochs=2)
    tab.training.train_button.click()  # no model yet: it trains at once
    qtbot.waitUntil(lambda: tab.model.epochs_done == 2, timeout=WAIT_MS)
    first = tab.model.path
    assert first.name == "model.textmodel" and epochs_in(first) == 2

    def answer(text: str, asked: str = "model.textmodel has trained for 2 epochs") -> QMessageBox:
        tab.training.train_button.click()
        (box,) = [box for box in tab.findChildren(QMessageBox, TRAIN_QUESTION) if box.isVisible()]
        assert box.text().startswith(asked)
        button = next(b for b in box.buttons() if b.text().startswith(text))
        if button.isEnabled():
            button.click()
        return box

    box = answer("Continue")
    assert "set Epochs above 2" in box.informativeText()  # nothing more to train: Continue is off
    box.reject()
    form.update(epochs=4)
    answer("Cancel")
    assert len(fake_engines.calls) == 1 and not tab.jobs.is_busy("train")

    answer("Start a new model")
    qtbot.waitUntil(lambda: tab.model.epochs_done == 4 and tab.model.path != first, timeout=WAIT_MS)
    new = tab.model.path
    assert new.name == "model-2.textmodel" and fake_engines.calls[-1]["resume_from"] is None
    assert epochs_in(first) == 2, "the model it had is still there"

    form.update(epochs=3)  # fewer than the new model has: ask for more to continue it
    box = answer("Continue", asked="model-2.textmodel has trained for 4 epochs")
    assert "set Epochs above 4" in box.informativeText()
    box.reject()
    form.update(epochs=6)
    answer("Continue training it", asked="model-2.textmodel has trained for 4 epochs")
    qtbot.waitUntil(lambda: tab.model.epochs_done == 6, timeout=WAIT_MS)
    assert fake_engines.calls[-1]["resume_from"] == fake_engines.calls[-1]["model_path"] == str(new)
    assert tab.model.path == new and epochs_in(new) == 6 and epochs_in(first) == 2


def test_sample_temperatures_are_typed_as_a_list(qtbot, runner):
    tab = make_tab(qtbot, runner)
    field = tab.training.temperatures
    field.clear()
    qtbot.keyClicks(field, "0.4, 1.1")
    assert tab.training.form.params().temperatures == (0.4, 1.1)
    assert [title.text() for title in tab.training_view.samples.titles] == ["<b>T = 0.4</b>", "<b>T = 1.1</b>"]
    qtbot.keyClicks(field, ", hot")
    assert tab.training.form.params().temperatures == (0.4, 1.1), "a half-typed list is never used"
    assert "'hot' is not a number" in field.toolTip()
