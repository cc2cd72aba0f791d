"""Variations: a batch of a picture tab's settings varied (new seeds, each preset, or one setting
swept over a range), run as queued jobs (each in the job list), shown on a contact sheet as they
finish; a click keeps one as a history entry. Cancel stops what is still to come and keeps the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject

from studio.core.progress import JobError, Progress
from studio.core.variations import KIND_LABELS, VariationParams, plan_variations, sweepable_fields
from studio.ui.widgets.choice_field import ChoiceField
from studio.ui.widgets.contact_sheet import ContactSheet
from studio.ui.widgets.errors import show_error
from studio.ui.widgets.forms import push_button
from studio.ui.widgets.param_form import ParamForm

if TYPE_CHECKING:
    from studio.ui.picture_tab import PictureRun, PictureTab


class VariationBatch(QObject):
    """The variations of one picture tab: `form` (how many, what varies) for its side panel,
    `button` to start them, `sheet` (the contact sheet) for its work area."""

    def __init__(self, tab: PictureTab, kinds: tuple[str, ...]):
        super().__init__(tab)
        self.tab = tab
        self.sheet = ContactSheet()
        self.sheet.picked.connect(self.pick)
        self.sheet.cancel_requested.connect(self.cancel)
        self.fields = sweepable_fields(tab.params_class)
        self.kind_field = ChoiceField(tuple((kind, KIND_LABELS[kind]) for kind in kinds))
        self.sweep_field = ChoiceField(tuple((name, spec["label"]) for name, spec in self.fields.items()))
        self.form = ParamForm(VariationParams, {"kind": self.kind_field, "sweep_field": self.sweep_field})
        self.kind_field.changed.connect(self._kind_chosen)
        self.sweep_field.changed.connect(self.suggest_range)
        self.button = push_button(
            "Variations", self.start, "Make several variations of these settings at once, to pick from side by side"
        )
        self.runs: list[tuple[str, PictureRun]] = []
        self.results: dict[int, np.ndarray] = {}
        self._batch = 0  # which batch the sheet shows: a cancelled batch's late news is for no cell
        self._kind_chosen()

    def start(self) -> None:
        """Queue one job per variation of the tab's current settings."""
        tab = self.tab
        try:
            plans = plan_variations(tab.form.params(), self.form.params(), tab.variation_presets())
        except JobError as error:
            show_error(tab, str(error))
            return
        runs = []
        for index, (label, params) in enumerate(plans):
            run = tab.picture_run(params, f"{tab.noun.capitalize()} variation {index + 1}/{len(plans)} ({label})")
            if run is None:
                return
            runs.append((label, run))
        self.cancel()
        self.runs, self.results, self._batch = runs, {}, self._batch + 1
        self.sheet.start([label for label, _ in runs])
        for index, (_, run) in enumerate(runs):
            tab.jobs.start(
                self._channel(index),
                run.job,
                on_started=self._for_cell(self._state, index, "working…"),
                on_progress=self._for_cell(self._progress, index),
                on_done=self._for_cell(self._done, index),
                on_failed=self._for_cell(self._failed, index),
                on_cancelled=self._for_cell(self._state, index, "cancelled"),
            )
        tab.pages.tabBar().show()
        tab.pages.setCurrentWidget(self.sheet)
        self._tell()

    def cancel(self) -> None:
        """Stop the variations still queued or running; those finished stay on the sheet."""
        for index in range(len(self.runs)):
            self.tab.jobs.cancel(self._channel(index))

    def pick(self, index: int) -> None:
        """Keep variation `index`: a history entry, shown in the After view."""
        label, run = self.runs[index]
        self.tab.keep_result(self.results[index], run, f"Kept the variation {label}.")
        self.sheet.set_state(index, "kept ✓")

    def running(self) -> bool:
        return any(self.tab.jobs.is_busy(self._channel(index)) for index in range(len(self.runs)))

    @staticmethod
    def _channel(index: int) -> str:
        return f"variation {index}"

    def _for_cell(self, callback: Callable[..., None], *args: object) -> Callable[..., None]:
        """`callback(*args, ...)` while the batch that started the job is still the one shown."""
        batch = self._batch

        def call(*more: object) -> None:
            if batch == self._batch:
                callback(*args, *more)

        return call

    def _progress(self, index: int, event: Progress) -> None:
        if event.total > 0:
            self.sheet.set_state(index, f"{event.fraction:.0%}")

    def _done(self, index: int, picture: np.ndarray) -> None:
        self.results[index] = picture
        self.sheet.set_picture(index, picture)
        self._tell()

    def _failed(self, index: int, message: str, _details: str) -> None:
        self.tab.status.setText(message)
        self._state(index, "failed")

    def _state(self, index: int, text: str) -> None:
        self.sheet.set_state(index, text)
        self._tell()

    def _tell(self) -> None:
        done, count = len(self.results), len(self.runs)
        running = self.running()
        state = "; the rest are on their way" if running else ""
        self.sheet.set_title(f"Variations: {done} of {count} done{state}. Click one to keep it.", running)
        self.tab.pages.setTabText(1, f"Variations ({done}/{count})")

    # -- the form ----------------------------------------------------------------------------------------
    def _kind_chosen(self) -> None:
        sweeping = self.kind_field.value() == "sweep"
        for name in ("sweep_field", "sweep_from", "sweep_to"):
            self.form.editor(name).setEnabled(sweeping)

    def suggest_range(self) -> None:
        """Offer a range around the chosen setting's value: half to twice it, within its limits."""
        name = self.sweep_field.value()
        if name not in self.fields:
            return
        spec, value = self.fields[name], getattr(self.tab.form.params(), name)
        low = max(spec["minimum"], value / 2 if value else spec["minimum"])
        high = min(spec["maximum"], value * 2 if value else spec["maximum"])
        self.form.update(sweep_from=float(low), sweep_to=float(high))
