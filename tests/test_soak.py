"""An afternoon's work, compressed: hundreds of jobs through the real main window, then a normal quit.

The session itself is `soak_session.py`, run in a fresh interpreter so that its exit status and any
fatal error at interpreter shutdown are seen (a reference leak in a Qt binding shows up exactly there).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studio.ui.settings import Settings

SESSION = Path(__file__).with_name("soak_session.py")


def test_a_long_session_runs_hundreds_of_jobs_and_quits_cleanly_with_its_settings(tmp_path):
    """About 18 CPU s (37 s at a load average of 8); 42 CPU s before progress bars were redrawn at
    the eye's pace rather than for every event."""
    env = {"STUDIO_CONFIG_DIR": str(tmp_path), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    try:
        done = subprocess.run([sys.executable, str(SESSION)], capture_output=True, text=True, env=env, timeout=600)
    except subprocess.TimeoutExpired as late:
        printed = late.stdout.decode() if isinstance(late.stdout, bytes) else late.stdout or ""
        reached = [line for line in printed.splitlines() if line.startswith("round ")][-1:] or ["no round"]
        pytest.fail(f"The session reached {reached[0]} in 600 s: a starved machine, or the GUI slowed down.")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Fatal Python error" not in done.stderr and "dealloc" not in done.stderr, done.stderr[-3000:]
    counts = dict(item.split("=") for item in done.stdout.split("soak ", 1)[1].split())
    assert int(counts["jobs"]) >= 200
    assert int(counts["events"]) >= 50_000
    assert int(counts["tokens"]) >= 50_000
    settings = Settings(tmp_path)
    assert settings.geometry() is not None  # saved by the window as it closed
    assert Path(settings.tab_state("text")["model"]).exists()  # the session's model is reopened next time
