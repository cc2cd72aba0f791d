"""Text tab: the sample corpus trains at once, samples appear per temperature, and the model writes."""

from __future__ import annotations

import os

from studio.core.corpus import BUILTIN_CORPUS
from studio.ui.settings import Settings
from studio.ui.text_tab import TextTab


def make_tab(qtbot, runner) -> TextTab:
    tab = TextTab(runner, Settings())
    qtbot.addWidget(tab)
    tab.resize(1280, 820)
    return tab


def test_trains_one_short_epoch_shows_samples_and_writes(qtbot, runner, tmp_path):
    tab = make_tab(qtbot, runner)
    assert tab.corpus_paths == [BUILTIN_CORPUS] and "pydoc_data" in tab.drop_zone.title.text()
    qtbot.waitUntil(lambda: "distinct" in tab.drop_zone.summary.text(), timeout=30_000)
    assert not tab.generate_button.isEnabled()

    tab.epochs.setValue(1)
    tab.steps_per_epoch.setValue(4)
    tab.batch_size.setValue(8)
    tab.sequence_length.setValue(24)
    tab.sample_prompt.setText("The ")
    writable_while_training = []
    handle = tab.start_training()
    handle.progress.connect(lambda _event: writable_while_training.append(tab.generate_button.isEnabled()))
    with qtbot.waitSignal(handle.finished, timeout=60_000):
        pass
    assert writable_while_training and not any(writable_while_training), "writing waits until training stops"
    samples = {t: view.toPlainText() for t, view in tab.sample_views.items()}
    assert all(text.startswith("The ") and len(text) > len("The ") for text in samples.values())
    assert tab.loss_plot.series["loss"] and tab.loss_plot.series["val_loss"]
    assert tab.generate_button.isEnabled() and tab.resume_button.isEnabled() and tab.model_path.exists()
    if os.environ.get("STUDIO_SCREENSHOT"):
        tab.grab().save(os.environ["STUDIO_SCREENSHOT"])

    tab.prompt.setText("def ")
    tab.length.setValue(15)
    tab.seed.setValue(3)
    with qtbot.waitSignal(tab.start_writing().finished, timeout=30_000):
        pass
    written = tab.output.toPlainText()
    assert written.startswith("def ") and len(written) > len("def ")

    with qtbot.waitSignal(tab.suggest_next().finished, timeout=30_000):
        pass
    assert tab.suggestions.count() > 0
    tab._take_suggestion(tab.suggestions.item(0))
    assert len(tab.output.toPlainText()) > len(written)
    with qtbot.waitSignal(tab.write_handle.finished, timeout=30_000):
        pass  # picking a token asks for the next suggestions
    assert tab.suggestions.count() > 0


def test_bad_corpus_is_reported_in_the_drop_zone(qtbot, runner, tmp_path):
    tab = make_tab(qtbot, runner)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    tab.set_corpus([str(empty)])
    qtbot.waitUntil(lambda: "is empty" in tab.drop_zone.summary.text(), timeout=30_000)
    state = tab.state()
    other = make_tab(qtbot, runner)
    other.restore_state(state)
    assert other.corpus_paths == [str(empty)] and other.train_params() == tab.train_params()


def test_stop_keeps_the_last_epoch_and_resume_finishes_the_run(qtbot, runner):
    tab = make_tab(qtbot, runner)
    tab.architecture.setCurrentIndex(tab.architecture.findData("gru"))
    tab.epochs.setValue(100)  # far more than it can do before Stop lands
    tab.steps_per_epoch.setValue(2)
    tab.batch_size.setValue(4)
    tab.sequence_length.setValue(16)
    handle = tab.start_training()
    assert tab.stop_button.isEnabled() and not tab.train_button.isEnabled()
    qtbot.waitUntil(lambda: "Epoch" in tab.samples_title.text(), timeout=60_000)
    with qtbot.waitSignal(handle.cancelled, timeout=30_000):
        tab.stop_button.click()
    assert tab.resume_button.isEnabled() and not tab.stop_button.isEnabled()
    epochs_done = int(tab.samples_title.text().split()[1].rstrip(":"))
    tab.epochs.setValue(epochs_done + 1)
    with qtbot.waitSignal(tab.start_training(resume=True).finished, timeout=60_000) as finished:
        pass
    assert finished.args[0]["epochs"] == epochs_done + 1 and len(finished.args[0]["history"]) == epochs_done + 1
    assert f"Epoch {epochs_done + 1}:" in tab.samples_title.text()
    qtbot.waitUntil(lambda: f"{epochs_done + 1} epochs" in tab.model_label.text(), timeout=30_000)
