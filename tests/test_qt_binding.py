"""The Qt binding itself must not drop references over a long session.

PySide6-Essentials 6.12.0 on CPython 3.10/3.11 drops a reference to None (and sometimes True/False)
on every Qt call that returns nothing; after enough calls the interpreter dies in "deallocating None".
From Python 3.12 these objects are immortal and their counts never move. The probe runs in a fresh
interpreter so that a binding with the fault fails this test instead of aborting the whole run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QProgressBar

    class Emitter(QObject):
        changed = Signal(object)

    app = QApplication([])
    label, check, bar, timer, emitter = QLabel(), QCheckBox(), QProgressBar(), QTimer(), Emitter()
    received = [0]
    emitter.changed.connect(lambda _value: received.__setitem__(0, received[0] + 1))

    def calls(count):
        for index in range(count):
            label.setText(str(index))
            label.setVisible(index % 2 == 0)
            check.setChecked(index % 3 == 0)
            check.setEnabled(True)
            bar.setValue(index % 100)
            timer.setInterval(index % 50 + 1)
            emitter.changed.emit(None)
            emitter.changed.emit(index % 2 == 0)

    def counts():
        return [sys.getrefcount(value) for value in (None, True, False)]

    calls(100)  # caches and interned objects settle first
    before = counts()
    calls(3000)
    print("drift", *[after - start for after, start in zip(counts(), before)], "signals", received[0], flush=True)
    """
)


def test_thousands_of_qt_calls_leave_the_counts_of_none_true_and_false_alone():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, f"the probe died (exit {done.returncode}): {done.stderr[-2000:]}"
    words = done.stdout.split()
    drift = [int(word) for word in words[1:4]]
    assert all(abs(change) < 50 for change in drift), f"None/True/False reference counts drifted by {drift}"
    assert words[5] == "6200"
