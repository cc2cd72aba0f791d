"""What every tab offers the main window."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from studio.core.params import params_from_dict, params_to_dict
from studio.ui.jobs import TabJobs
from studio.ui.runner import JobRunner
from studio.ui.settings import Settings


class StudioTab(QWidget):
    """A tab: its `key` names its settings; it can open files and save and restore its parameters.

    It runs its jobs through `self.jobs` (`studio.ui.jobs.TabJobs`). A tab whose parameters are a
    dataclass sets `params_class` and builds `self.form` (a `ParamForm` of it): its parameters are
    then read, shown and remembered between runs here.

    The main window's menus and shortcuts (`studio.ui.shortcuts`) act on the current tab through the
    methods named in `main_window.TAB_ACTIONS`, where the tab has them: `run_main` (Ctrl+Return), `cancel_main`
    (Esc), `save`, `save_as`, `undo`, `redo` and `paste` (the clipboard's picture or file as input).
    Each does what the tab offers and returns True, or False when there is nothing of the kind just
    now; where a tab lacks the method, or it returns False, the window says so in its status bar.
    """

    key = "tab"
    title = "Tab"
    # File suffixes this tab can open from File > Open and the recent-files menu.
    opens: tuple[str, ...] = ()
    params_class: type | None = None

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.settings = settings
        self.jobs = TabJobs(runner, self)

    def open_path(self, path: str) -> None:
        """Open a file the user chose from a menu (only called for suffixes in `opens`)."""

    def current_params(self) -> Any:
        """The parameters the controls show, frozen (on the GUI thread, before a job starts)."""
        return self.form.params()

    def set_params(self, params: Any) -> None:
        self.form.set_params(params)

    def state(self) -> dict[str, Any]:
        """Parameters to remember until next time (plain JSON values)."""
        return {"params": params_to_dict(self.current_params())} if self.params_class else {}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Put back what `state()` returned in an earlier run. A value a control cannot show raises
        ValueError before anything changes; the main window then says so and keeps the defaults."""
        if self.params_class and "params" in state:
            try:
                params = params_from_dict(self.params_class, state["params"])
            except (TypeError, ValueError):
                return
            self.set_params(self.restorable(params))

    def restorable(self, params: Any) -> Any:
        """Last session's parameters as they can be used now (a subclass drops what no longer exists)."""
        return params
