"""The app's keyboard shortcuts, in one place, so menus, buttons and tooltips say the same keys.

The main window's menus hold the actions (they work wherever focus is in the window, except where a
text field takes the key itself, as it does for Ctrl+Z); each asks the current tab through
`StudioTab.run_main`, `cancel_main`, `save`, `save_as`, `undo`, `redo` and `paste`.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

RUN = QKeySequence("Ctrl+Return")
CANCEL = QKeySequence("Escape")
SAVE = QKeySequence("Ctrl+S")
SAVE_AS = QKeySequence("Ctrl+Shift+S")
UNDO = QKeySequence("Ctrl+Z")
REDO = QKeySequence("Ctrl+Shift+Z")
PASTE = QKeySequence("Ctrl+V")
FULL_SCREEN = QKeySequence("F11")


def with_key(text: str, key: QKeySequence) -> str:
    """A tooltip that names its shortcut: "Dream with these settings (Ctrl+Return)"."""
    return f"{text} ({key.toString(QKeySequence.SequenceFormat.NativeText)})"
