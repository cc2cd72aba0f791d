"""Texts side by side, each under a title, that grow as a job streams their pieces: several samples
of one request, the samples of each temperature after an epoch, the replies to a line."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPlainTextEdit, QScrollArea, QWidget

from studio.ui.widgets.forms import column, fill

MIN_COLUMN_WIDTH = 110


class SampleColumns(QWidget):
    """One text box per column; `columns[0]` may be editable (the text a writer goes on from)."""

    def __init__(self, placeholder: str = "", first_editable: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.placeholder = placeholder
        self.first_editable = first_editable
        self.columns: list[QPlainTextEdit] = []
        self.titles: list[QLabel] = []
        inner = QWidget()
        self._grid = QGridLayout(inner)
        self._grid.setContentsMargins(0, 0, 0, 0)
        # Many columns scroll sideways rather than widen the window past a small screen.
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(MIN_COLUMN_WIDTH)
        fill(self, column(scroll))
        self.set_titles([""])

    def set_titles(self, titles: Sequence[str]) -> None:
        """Show one column per title (an empty title hides the title row); texts in kept columns stay."""
        while len(self.columns) > len(titles):
            for widget in (self.columns.pop(), self.titles.pop()):
                widget.deleteLater()
        while len(self.columns) < len(titles):
            column = len(self.columns)
            title = QLabel()
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            view = QPlainTextEdit(readOnly=not (self.first_editable and column == 0))
            view.setFont(QFont("monospace", 9))
            view.setMinimumWidth(MIN_COLUMN_WIDTH)
            view.setPlaceholderText(self.placeholder if column == 0 else "")
            self._grid.addWidget(title, 0, column)
            self._grid.addWidget(view, 1, column)
            self._grid.setColumnStretch(column, 1)
            self.columns.append(view)
            self.titles.append(title)
        for label, text in zip(self.titles, titles):
            label.setText(f"<b>{text}</b>" if text else "")
            label.setVisible(bool(text))

    def count(self) -> int:
        return len(self.columns)

    def texts(self) -> list[str]:
        return [view.toPlainText() for view in self.columns]

    def set_texts(self, texts: Sequence[str]) -> None:
        """Put `texts` in the columns (the last text fills any column beyond them)."""
        for index, view in enumerate(self.columns):
            view.setPlainText(texts[min(index, len(texts) - 1)] if texts else "")

    def append(self, pieces: Sequence[str]) -> None:
        """Add each piece at the end of its column, and keep the end in sight."""
        for view, piece in zip(self.columns, pieces):
            if piece:
                cursor = view.textCursor()
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(piece)
                view.setTextCursor(cursor)
