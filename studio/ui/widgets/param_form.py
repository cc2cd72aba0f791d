"""One parameter form for every tab: built from a parameter dataclass whose fields carry
`studio.core.params.control(...)`, read into a frozen dataclass, written back from one.

Each field with a control becomes a labelled row (with its tooltip) in the group box its control
names, in field order. The widget follows the field's type unless the control names one: a combo
box for `choices`, a check box for bool, a spin box for int and float (`widget="slider"`: a superqt
labelled slider), a line edit for str. An optional number (`int | None`) shows the control's
`special` text ("random") one step below its minimum, and reads as None there. Fields without a
control keep their values through the form (`update` changes them). A tab plugs in its own widget
for a field through `editors`: any widget with `value()`, `set_value(value)` and a `changed` signal
(and optionally `check(value)`, raising ValueError for a value it cannot show); an editor whose
control has an empty label spans the whole row.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider, QLabeledSlider

from studio.core.params import base_type, control_spec

P = TypeVar("P")


class FieldEditor(Protocol):
    """What a tab's own widget for a field offers the form (a QWidget with these members)."""

    changed: Any  # a Signal, emitted when the user changes the value

    def value(self) -> Any: ...

    def set_value(self, value: Any) -> None: ...


@dataclass(frozen=True)
class _Binding:
    """How the form reads, writes and checks one field's widget."""

    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]
    check: Callable[[Any], None]
    changed: Any


class ParamForm(QWidget, Generic[P]):
    """The controls of one parameter dataclass, grouped in boxes; `changed` fires when any changes."""

    changed = Signal()

    def __init__(
        self,
        params_class: type[P],
        editors: Mapping[str, QWidget] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.params_class = params_class
        self._fields = {f.name: f for f in dataclasses.fields(params_class)}
        hints = typing.get_type_hints(params_class)
        editors = dict(editors or {})
        specs = {name: spec for name, field in self._fields.items() if (spec := control_spec(field)) is not None}
        if unknown := set(editors) - set(self._fields):
            raise ValueError(f"{params_class.__name__} has no field {', '.join(sorted(unknown))}")
        self._layout = QVBoxLayout(self)
        self._groups: dict[str, QFormLayout] = {}
        self._bindings: dict[str, _Binding] = {}
        self._kept: dict[str, Any] = {}
        self._setting = False
        for name in self._fields:
            spec = specs.get(name)
            if name in editors:
                self._bindings[name] = _custom_binding(editors[name])
            elif spec is not None:
                self._bindings[name] = _built_binding(f"{params_class.__name__}.{name}", spec, hints[name])
            if spec is not None:
                self._place(spec, self._bindings[name].widget)
            if name in self._bindings:
                self._bindings[name].changed.connect(self._editor_changed)
        self._layout.addStretch(1)
        self.set_params(params_class())

    # -- values ---------------------------------------------------------------------------------
    def params(self) -> P:
        """The form's values as a frozen parameter dataclass (read on the GUI thread, before a job starts)."""
        values = {name: binding.get() for name, binding in self._bindings.items()}
        return self.params_class(**values, **self._kept)

    def set_params(self, params: P) -> None:
        """Show `params`; every value is checked first, so a value that does not fit changes nothing."""
        if not isinstance(params, self.params_class):
            raise TypeError(f"expected {self.params_class.__name__}, got {type(params).__name__}")
        self.update(**{name: getattr(params, name) for name in self._fields})

    def update(self, **values: Any) -> None:
        """Set some fields (with or without a control); checked first, then `changed` fires once."""
        if unknown := set(values) - set(self._fields):
            raise TypeError(f"{self.params_class.__name__} has no field {', '.join(sorted(unknown))}")
        for name, value in values.items():
            if name in self._bindings:
                self._bindings[name].check(value)
        self._setting = True
        try:
            for name, value in values.items():
                if name in self._bindings:
                    self._bindings[name].set(value)
                else:
                    self._kept[name] = value
        finally:
            self._setting = False
        self.changed.emit()

    # -- layout ---------------------------------------------------------------------------------
    def editor(self, name: str) -> QWidget:
        """The widget that shows field `name`."""
        return self._bindings[name].widget

    def add_row(self, group: str, label: str, widget: QWidget, tooltip: str = "") -> None:
        """Add a widget of the tab's own (a preset chooser, a hint) under the group's rows so far."""
        if tooltip:
            widget.setToolTip(tooltip)
        self._add(group, label, widget)

    def set_field_width(self, width: int) -> None:
        """Cap the width of every control but combo boxes (a seed's spin box is as wide as its largest
        number), so a form beside the work stays narrow on a small screen; a combo box keeps room for
        its longest choice, which must stay readable."""
        for binding in self._bindings.values():
            if not isinstance(binding.widget, QComboBox):
                binding.widget.setMaximumWidth(width)

    def set_row_visible(self, name: str, visible: bool) -> None:
        """Show or hide field `name`'s row (a control that means nothing in the current mode)."""
        widget = self.editor(name)
        for form in self._groups.values():
            if form.indexOf(widget) >= 0:
                form.setRowVisible(widget, visible)

    def set_group_visible(self, group: str, visible: bool) -> None:
        """Show or hide a whole group box (the reply model's settings for a language model)."""
        self._groups[group].parentWidget().setVisible(visible)

    def _place(self, spec: dict[str, Any], widget: QWidget) -> None:
        widget.setToolTip(spec["tooltip"])
        self._add(spec["group"], spec["label"], widget)

    def _add(self, group: str, label: str, widget: QWidget) -> None:
        if group not in self._groups:
            box = QGroupBox(group)
            self._groups[group] = QFormLayout(box)
            self._layout.insertWidget(len(self._groups) - 1, box)
        form = self._groups[group]
        if label:
            caption = QLabel(label)
            caption.setToolTip(widget.toolTip())
            caption.setBuddy(widget)
            form.addRow(caption, widget)
        else:
            form.addRow(widget)

    def _editor_changed(self, *_: Any) -> None:
        if not self._setting:
            self.changed.emit()


def _custom_binding(editor: QWidget) -> _Binding:
    check = getattr(editor, "check", None) or (lambda value: None)
    return _Binding(editor, editor.value, editor.set_value, check, editor.changed)


def _built_binding(where: str, spec: dict[str, Any], hint: Any) -> _Binding:
    kind, optional = _kind(where, spec, hint)
    if kind == "combo":
        return _combo(spec)
    if kind == "check":
        box = QCheckBox()
        return _Binding(box, box.isChecked, box.setChecked, _checker(bool), box.toggled)
    if kind == "text":
        line = QLineEdit()
        empty = None if optional else ""
        return _Binding(
            line, lambda: line.text() or empty, lambda v: line.setText(v or ""), _checker(str), line.textChanged
        )
    if spec["minimum"] is None or spec["maximum"] is None:
        raise TypeError(f"{where}: a number's control needs a minimum and a maximum")
    if kind == "slider":
        return _slider(spec, hint)
    return _spin(where, spec, base_type(hint), optional)


def _kind(where: str, spec: dict[str, Any], hint: Any) -> tuple[str, bool]:
    base = base_type(hint)
    optional = base is not hint
    kind = spec["widget"] or (
        "combo" if spec["choices"] else {bool: "check", int: "spin", float: "spin", str: "text"}.get(base, "")
    )
    if not kind:
        raise TypeError(f"{where}: no control for {hint}; pass an editor for it")
    if optional and kind in ("spin", "slider") and (kind == "slider" or not spec["special"]):
        raise TypeError(f"{where}: an optional number needs a spin box with `special` text for None")
    return kind, optional


def _checker(kind: type) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if not isinstance(value, kind) and not (kind is str and value is None):
            raise ValueError(f"{value!r} is not a {kind.__name__}")

    return check


def _combo(spec: dict[str, Any]) -> _Binding:
    values = [value for value, _ in spec["choices"]]
    combo = QComboBox()
    for _, label in spec["choices"]:
        combo.addItem(label)

    def check(value: Any) -> None:
        if value not in values:
            raise ValueError(f"{spec['label']} cannot be {value!r}")

    return _Binding(
        combo,
        lambda: values[combo.currentIndex()],
        lambda value: combo.setCurrentIndex(values.index(value)),
        check,
        combo.currentIndexChanged,
    )


def _number_checker(spec: dict[str, Any], kind: type, optional: bool) -> Callable[[Any], None]:
    low, high = spec["minimum"], spec["maximum"]

    def check(value: Any) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
            raise ValueError(f"{spec['label']}: {value!r} is not a number")
        if not low <= value <= high:
            raise ValueError(f"{spec['label']}: {value} is outside {low}–{high}")

    return check


def _spin(where: str, spec: dict[str, Any], kind: type, optional: bool) -> _Binding:
    if kind is float:
        spin = QDoubleSpinBox()
        decimals = spec["decimals"] if spec["decimals"] is not None else 2
        spin.setDecimals(decimals)
        step = spec["step"] or 10**-decimals
    else:
        spin = QSpinBox()
        step = int(spec["step"] or 1)
    low = spec["minimum"]
    spin.setRange(low - step if optional else low, spec["maximum"])
    spin.setSingleStep(step)
    spin.setSuffix(spec["suffix"])
    if spec["special"]:  # None on an optional number, else a minimum that means "off" (top-k 0)
        spin.setSpecialValueText(spec["special"])

    def get() -> Any:
        return None if optional and spin.value() < low else spin.value()

    def set_value(value: Any) -> None:
        spin.setValue(spin.minimum() if value is None else value)

    return _Binding(spin, get, set_value, _number_checker(spec, kind, optional), spin.valueChanged)


def _slider(spec: dict[str, Any], hint: Any) -> _Binding:
    slider = (QLabeledDoubleSlider if hint is float else QLabeledSlider)(Qt.Orientation.Horizontal)
    slider.setRange(spec["minimum"], spec["maximum"])
    if hint is float:
        decimals = spec["decimals"] if spec["decimals"] is not None else 2
        slider.setDecimals(decimals)
        slider.setSingleStep(spec["step"] or 10**-decimals)
    elif spec["step"]:
        slider.setSingleStep(int(spec["step"]))
    return _Binding(slider, slider.value, slider.setValue, _number_checker(spec, hint, False), slider.valueChanged)
