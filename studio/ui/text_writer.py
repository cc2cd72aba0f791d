"""The writer of the Text tab (for a language model): stream continuations of the prompt, several
side by side; go on from the first (which you may edit); or pick the next word yourself from the
model's suggestions. Save or copy the text."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
)

from studio.ui.runner import Job, JobHandle
from studio.ui.shortcuts import RUN, with_key
from studio.ui.text_writing import WritingPanel
from studio.ui.widgets.forms import column, fill, grid, push_button, row
from studio.ui.widgets.sample_columns import SampleColumns

SUGGESTIONS = 10


def visible(piece: str) -> str:
    """A token as a list entry: spaces and line breaks made visible."""
    return piece.replace("\n", "⏎").replace(" ", "·") or "∅"


class Writer(WritingPanel):
    """Continues the prompt, several samples side by side; the first can be edited and continued."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output = SampleColumns(
            "Generated text streams in here. You can edit it, then Continue or Suggest next.", first_editable=True
        )
        self.suggestions = QListWidget()
        self.suggestions.setMaximumWidth(170)
        self.suggestions.setToolTip("Double-click to add a token, then pick again")
        self.suggestions.itemActivated.connect(self.take_suggestion)
        self.suggestions.hide()  # until Suggest next
        self.generate_button = push_button(
            "Generate",
            lambda: self.write(go_on=False),
            with_key("Write continuations of the prompt, side by side", RUN),
            primary=True,
        )
        self.continue_button = push_button(
            "Continue", lambda: self.write(go_on=True), "Write more after the first text below"
        )
        self.suggest_button = push_button(
            "Suggest next", self.suggest_next, "Show the likeliest next tokens; double-click one to add it"
        )
        self.stop_button = push_button("Stop", lambda: self.jobs.cancel("write"))
        copy_button = push_button(
            "Copy", lambda: QGuiApplication.clipboard().setText(self.output.texts()[0]), "Copy the first text"
        )
        save_button = push_button("Save text…", self._save, "Save the texts (several samples one after another)")
        # Two rows of three: the writer shares its width with the settings.
        buttons = grid(
            self.generate_button,
            self.continue_button,
            self.suggest_button,
            self.stop_button,
            copy_button,
            save_button,
            columns=3,
        )
        fill(self, column(buttons, (row((self.output, 1), self.suggestions), 1)))

    def write(self, go_on: bool = False) -> JobHandle:
        """Stream `samples` continuations of the prompt (`go_on`: of the first text shown) side by side."""
        params = self.form.params()
        prompt = self.output.texts()[0] if go_on else params.prompt
        self.output.set_titles([f"Sample {n + 1}" if params.samples > 1 else "" for n in range(params.samples)])
        self.output.set_texts([prompt])
        self.suggestions.clear()
        self.suggestions.hide()
        return self.generate(dataclasses.replace(params, prompt=prompt), self.output, "Writing")

    def suggest_next(self) -> JobHandle:
        """The likeliest next tokens after the first text (or the prompt), to pick from."""
        self.output.set_titles([""])
        self.suggestions.show()
        text = self.output.texts()[0] or self.form.params().prompt
        self.output.set_texts([text])
        params = dataclasses.replace(self.form.params(), prompt=text)
        job = Job(
            "text.choices",
            {"model_path": str(self.model.path), "text": text, "params": params, "count": SUGGESTIONS},
            title="Suggesting",
        )
        return self.jobs.start("write", job, on_done=self._show_suggestions)

    def _show_suggestions(self, choices: list[tuple[str, float]]) -> None:
        self.suggestions.clear()
        for piece, probability in choices:
            item = QListWidgetItem(f"{visible(piece)}   {probability:.1%}")
            item.setData(Qt.ItemDataRole.UserRole, piece)
            self.suggestions.addItem(item)

    def take_suggestion(self, item: QListWidgetItem) -> None:
        """Add the picked token to the text, and ask what may follow it."""
        self.output.append([item.data(Qt.ItemDataRole.UserRole)])
        self.suggest_next()

    def set_enabled(self, can_write: bool) -> None:
        """Writing needs a model and the compute thread, which a training run holds until it stops."""
        for button in (self.generate_button, self.continue_button, self.suggest_button):
            button.setEnabled(can_write)
        self.stop_button.setEnabled(self.jobs.is_busy("write"))

    def _save(self) -> None:
        self.save_texts(self.output.texts())
