"""Two boxes of the VAE explorer: a concept vector found from two groups of pictures, and the
path between two points (a strip of pictures, exported as a looping animation or a walk)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtWidgets import QCheckBox, QFileDialog, QFormLayout, QGroupBox

from studio.ui.runner import Job, JobHandle
from studio.ui.settings import Settings
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import column, labeled_slider, push_button, row
from studio.ui.widgets.latent_grid import LatentPictureView

if TYPE_CHECKING:
    from studio.ui.vae_explorer import VaeExplorer

STRIP_FRAMES = 8
STRIP_TITLE = "Drawing the path"


class ConceptBox(QGroupBox):
    """Pictures with a quality and without it give a direction; the Amount slider adds it to the picture."""

    def __init__(self, view: VaeExplorer, settings: Settings):
        super().__init__("Concept vector")
        self.view, self.settings = view, settings
        self.vector: np.ndarray | None = None
        self.groups: dict[str, str] = {}
        self.with_button = push_button(
            "With it…",
            lambda: self._choose_group("with"),
            "A folder of pictures that show the quality (smiling faces, say)",
        )
        self.without_button = push_button(
            "Without it…",
            lambda: self._choose_group("without"),
            "A folder of pictures that lack it (faces not smiling)",
        )
        self.find_button = push_button("Find the concept", self.find)
        self.amount = labeled_slider(-3.0, 3.0)
        self.amount.setToolTip("How much of the concept the picture gets (negative takes it away)")
        self.amount.setEnabled(False)
        self.amount.valueChanged.connect(view.show_code)
        layout = QFormLayout(self)
        layout.addRow(row(self.with_button, self.without_button))
        layout.addRow(self.find_button)
        layout.addRow("Amount", self.amount)

    def applied_to(self, code: np.ndarray) -> np.ndarray:
        return code if self.vector is None else code + self.amount.value() * self.vector

    def clear(self) -> None:
        self.vector = None
        self.amount.setEnabled(False)

    def set_enabled(self, on: bool) -> None:
        for widget in (self.with_button, self.without_button, self.find_button):
            widget.setEnabled(on)

    def _choose_group(self, which: str) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, f"Pictures {which} the concept", self.settings.last_folder("latent-concepts")
        )
        if folder:
            self.settings.set_last_folder("latent-concepts", folder)
            self.set_group(which, folder)

    def set_group(self, which: str, folder: str) -> None:
        self.groups[which] = folder
        name = Path(folder).name
        button = self.with_button if which == "with" else self.without_button
        button.setText(f"{which.capitalize()}: {name if len(name) <= 12 else name[:11] + '…'}")
        button.setToolTip(folder)

    def find(self) -> JobHandle | None:
        if set(self.groups) != {"with", "without"}:
            show_error(self, "Choose a folder of pictures with the concept and one without it (smiling and not, say).")
            return None
        kwargs = {
            "explorer": self.view.explorer,
            "group_with": self.groups["with"],
            "group_without": self.groups["without"],
        }
        return self.view.jobs.start(
            "concept", Job("vae.concept", kwargs, title="Finding the concept"), on_done=self._found
        )

    def _found(self, vector: np.ndarray) -> None:
        self.vector = vector
        self.amount.setEnabled(True)
        self.amount.setValue(1.0)
        self.view.show_code()
        self.view.say("Concept found: Amount adds it to the picture (or, below 0, takes it away).")


class PathBox(QGroupBox):
    """Two remembered points, A and B; the strip of pictures between them; animations of the way."""

    def __init__(self, view: VaeExplorer, settings: Settings):
        super().__init__("Interpolation and animation")
        self.view, self.settings = view, settings
        self.ends: dict[str, np.ndarray] = {}
        self.start_button = push_button(
            "Set A", lambda: self.set_end("A"), "Remember the current picture as the start of the path"
        )
        self.end_button = push_button(
            "Set B", lambda: self.set_end("B"), "Remember the current picture as the end of the path"
        )
        self.spherical = QCheckBox("Spherical")
        self.spherical.setChecked(True)
        self.spherical.setToolTip("Follow the great circle (keeps codes at a typical distance from the centre)")
        self.spherical.toggled.connect(self.draw_strip)
        self.strip_view = LatentPictureView("Set A and B to see the path between them")
        self.strip_view.setMinimumHeight(60)
        self.strip_view.setMaximumHeight(110)
        self.loop_button = push_button(
            "Export A↔B loop…",
            lambda: self._export_dialog(walk=False),
            "A GIF or MP4 that goes from A to B and back",
        )
        self.walk_button = push_button(
            "Export walk…",
            lambda: self._export_dialog(walk=True),
            "A looping figure-of-eight through the plane shown in the grid",
        )
        ends = row(self.start_button, self.end_button, self.spherical)
        self.setLayout(column(ends, self.strip_view, row(self.loop_button, self.walk_button)))

    def clear(self) -> None:
        self.ends.clear()
        self.strip_view.set_image(None)

    def set_enabled(self, on: bool, flat: bool) -> None:
        for widget in (self.start_button, self.end_button, self.spherical, self.loop_button):
            widget.setEnabled(on)
        self.walk_button.setEnabled(flat)

    def set_end(self, label: str) -> None:
        if self.view.code is not None:
            self.ends[label] = self.view.shown_code().copy()
            self.view.update_markers()
            self.draw_strip()

    def draw_strip(self, *_: Any) -> None:
        if self.view.explorer is None or len(self.ends) < 2:
            return
        kwargs = {
            "explorer": self.view.explorer,
            "start": self.ends["A"],
            "end": self.ends["B"],
            "steps": STRIP_FRAMES,
            "spherical": self.spherical.isChecked(),
        }
        self.view.request("strip", Job("vae.strip", kwargs, title=STRIP_TITLE), self.strip_view.set_image)

    def _export_dialog(self, walk: bool) -> None:
        if not walk and len(self.ends) < 2:
            show_error(self, "Set A and B first: pick a point, press Set A, pick another, press Set B.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the animation", self.settings.last_folder("latent-animations"), "GIF (*.gif);;MP4 video (*.mp4)"
        )
        if path:
            path = path if Path(path).suffix.lower() in (".gif", ".mp4") else path + ".gif"
            self.settings.set_last_folder("latent-animations", path)
            self.export(path, walk)

    def export(self, path: str, walk: bool) -> JobHandle:
        kwargs: dict[str, Any] = {"explorer": self.view.explorer, "path": path}
        if walk:
            kwargs["plane"] = self.view.plane()
        else:
            kwargs.update(start=self.ends["A"], end=self.ends["B"], spherical=self.spherical.isChecked())
        return self.view.jobs.start(
            "animation",
            Job("vae.animation", kwargs, title="Saving the animation"),
            on_done=lambda saved: self.view.say(f"Saved {Path(saved).name}."),
        )
