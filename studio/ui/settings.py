"""What the app remembers between runs: window geometry, last folders, recent files, each tab's parameters."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

MAX_RECENT = 10


class Settings:
    """A thin, typed layer over an INI file in the user's config folder (or `$STUDIO_CONFIG_DIR`)."""

    def __init__(self, folder: str | os.PathLike | None = None):
        folder = (
            folder
            or os.environ.get("STUDIO_CONFIG_DIR")
            or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
        )
        self.path = Path(folder) / "studio.ini"
        self._store = QSettings(str(self.path), QSettings.Format.IniFormat)

    def history_folder(self, create: bool = True) -> Path:
        """Where every finished result is kept automatically, so nothing made is ever lost (made
        if needed, unless `create` is False: a folder that cannot be made raises OSError)."""
        folder = self.path.parent / "history"
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def work_folders(self) -> list[Path]:
        """The folders the app writes into by itself: settings, history, checkpoints, models."""
        config = self.path.parent
        return [config, config / "history", config / "checkpoints", config / "text", self.style_models_folder()]

    def style_models_folder(self) -> Path:
        """Where the Style tab keeps the fast style models the user trains (its gallery shows them)."""
        return self.path.parent / "style-models"

    def sync(self) -> None:
        self._store.sync()

    # window
    def geometry(self) -> QByteArray | None:
        value = self._store.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self._store.setValue("window/geometry", geometry)

    # folders and files
    def last_folder(self, purpose: str) -> str:
        folder = self._store.value(f"folders/{purpose}", "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def set_last_folder(self, purpose: str, path: str | os.PathLike) -> None:
        path = Path(path)
        self._store.setValue(f"folders/{purpose}", str(path if path.is_dir() else path.parent))

    def recent_files(self) -> list[str]:
        files = self._json("recent/files", [])
        return [p for p in files if isinstance(p, str) and Path(p).exists()] if isinstance(files, list) else []

    def add_recent_file(self, path: str | os.PathLike) -> None:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self._store.setValue("recent/files", json.dumps(files[:MAX_RECENT]))

    # per-tab parameters
    def tab_state(self, tab: str) -> dict[str, Any]:
        state = self._json(f"tabs/{tab}", {})
        return state if isinstance(state, dict) else {}

    def set_tab_state(self, tab: str, state: dict[str, Any]) -> None:
        self._store.setValue(f"tabs/{tab}", json.dumps(state))

    def _json(self, key: str, default: Any) -> Any:
        text = self._store.value(key)
        if not text:
            return default
        try:
            return json.loads(text)
        except (TypeError, json.JSONDecodeError):
            return default
