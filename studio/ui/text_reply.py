"""The Reply panel of the Text tab (for a reply model, an encoder-decoder): type a line, and the
model's replies stream in under it, several side by side, each column a running conversation."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QLineEdit

from studio.ui.runner import JobHandle
from studio.ui.shortcuts import RUN, with_key
from studio.ui.text_writing import WritingPanel
from studio.ui.widgets.forms import column, fill, grid, push_button
from studio.ui.widgets.sample_columns import SampleColumns

SAID = "› "  # marks the user's lines in the conversation


class ReplyPanel(WritingPanel):
    """Answers the line typed, with the model in `model` and the settings in `form` (its prompt aside)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = QLineEdit()
        self.line.setPlaceholderText("Type a line for the model to answer, then press Return")
        self.line.returnPressed.connect(self.reply)
        self.reply_button = push_button(
            "Reply",
            self.reply,
            with_key("The model answers the line (Samples: several answers)", RUN),
            primary=True,
        )
        self.stop_button = push_button("Stop", lambda: self.jobs.cancel("write"))
        clear_button = push_button("Clear", lambda: self.replies.set_texts([""]), "Start a new conversation")
        save_button = push_button(
            "Save text…", self._save, "Save the conversations (several side by side: one after another)"
        )
        self.replies = SampleColumns("What you say and what the model answers appear here.")
        # Three buttons wide, as the writer: the settings share the width.
        controls = grid((self.line, 2), self.reply_button, self.stop_button, clear_button, save_button, columns=3)
        fill(self, column(controls, (self.replies, 1)))

    def reply(self) -> JobHandle | None:
        """Stream `samples` replies to the line typed, one per column, under it."""
        line = self.line.text().strip()
        if not line or not self.reply_button.isEnabled():
            return None
        params = dataclasses.replace(self.form.params(), prompt=line)
        if self.replies.count() != params.samples:
            self.replies.set_titles([f"Reply {n + 1}" if params.samples > 1 else "" for n in range(params.samples)])
        self.replies.append([f"{SAID}{line}\n"] * params.samples)
        return self.generate(params, self.replies, "Replying", on_done=self._replied, on_cancelled=self._replied)

    def _replied(self, _result: object = None) -> None:
        self.replies.append(["\n\n"] * self.replies.count())
        self.line.selectAll()

    def set_enabled(self, can_reply: bool) -> None:
        self.reply_button.setEnabled(can_reply)
        self.stop_button.setEnabled(self.jobs.is_busy("write"))

    def _save(self) -> None:
        self.save_texts(self.replies.texts())
