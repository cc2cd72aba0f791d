"""What every tab offers the main window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QWidget

from studio.core.images import load_image
from studio.core.params import params_from_dict, params_to_dict
from studio.core.progress import JobError
from studio.ui.jobs import TabJobs
from studio.ui.runner import JobRunner
from studio.ui.settings import Settings
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.recipe_bar import RecipeBar
from studio.ui.widgets.saving import PictureSaver


class StudioTab(QWidget):
    """A tab: its `key` names its settings; it can open files and save and restore its parameters.

    It runs its jobs through `self.jobs` (`studio.ui.jobs.TabJobs`). A tab whose parameters are a
    dataclass sets `params_class` and builds `self.form` (a `ParamForm` of it): its parameters are
    then read, shown and remembered between runs here.
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


class PictureTab(StudioTab):
    """A tab whose result is one picture made with a frozen parameter recipe (Dream, Style).

    Subclasses set `params_class`, build `self.form` and `self.status` (a QLabel), keep
    `self.result`, and provide `_recipe()`.
    """

    save_title = "Save picture"

    def __init__(self, runner: JobRunner, settings: Settings, parent: QWidget | None = None):
        super().__init__(runner, settings, parent)
        self.result = None
        self.saver = PictureSaver(self, settings, self.key)
        self.recipe_bar = RecipeBar(self.key, self.title, self._restore_recipe)

    def set_input(self, rgb: np.ndarray, name: str) -> None:
        """Make `rgb` the picture to work on."""
        raise NotImplementedError

    def open_path(self, path: str) -> None:
        """Open a picture to work on; a PNG saved by this tab also offers its settings back."""
        try:
            rgb = load_image(path)
        except JobError as error:
            show_error(self, str(error))
            return
        self.set_input(rgb, Path(path).name)
        self.settings.set_last_folder(self.key, path)
        self.recipe_bar.offer(path)

    def _restore_recipe(self, params: dict[str, Any]) -> None:
        self.set_params(params_from_dict(self.params_class, params))
        self.status.setText("Settings restored from the picture's recipe.")

    def _recipe(self) -> dict[str, Any]:
        raise NotImplementedError

    def _source_name(self) -> str:
        raise NotImplementedError

    def save_dialog(self) -> None:
        if self.result is not None:
            self._saved(self.saver.ask_and_save(self.result, self._recipe(), self._source_name(), self.save_title))

    def save_result(self, path: str) -> Path | None:
        return self._saved(self.saver.save(path, self.result, self._recipe()))

    def _saved(self, saved: Path | None) -> Path | None:
        if saved is not None:
            self.status.setText(f"Saved {saved.name}.")
        return saved
