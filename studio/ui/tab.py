"""What every tab offers the main window."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from studio.ui.runner import JobRunner
from studio.ui.settings import Settings


class StudioTab(QWidget):
    """A tab: its `key` names its settings; it can open files and save and restore its parameters."""

    key = "tab"
    title = "Tab"
    # File suffixes this tab can open from File > Open and the recent-files menu.
    opens: tuple[str, ...] = ()

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.settings = settings

    def open_path(self, path: str) -> None:
        """Open a file the user chose from a menu (only called for suffixes in `opens`)."""

    def state(self) -> dict[str, Any]:
        """Parameters to remember until next time (plain JSON values)."""
        return {}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Put back what `state()` returned in an earlier run; ignore what no longer fits."""
