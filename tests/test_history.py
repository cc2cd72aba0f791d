"""The session's history without Qt: undo and redo walk what the view showed and never lose a
picture; the history folder is read back at start, a damaged or foreign file skipped with a note."""

from __future__ import annotations

import numpy as np

from studio.core.history import History, HistoryEntry, read_history
from studio.core.images import save_image
from studio.core.params import make_recipe
from studio.core.params.dream import DreamParams
from studio.core.params.style import StyleParams


def entry(value: int) -> HistoryEntry:
    return HistoryEntry.made(np.full((4, 6, 3), value, np.uint8), make_recipe("dream", DreamParams(seed=value)), None)


def test_undo_and_redo_walk_back_and_forth_through_what_was_shown():
    history = History()
    first, second, third = (history.add(entry(value)) for value in (1, 2, 3))
    for shown in (first, second, third):
        history.show(shown)
    assert history.current is third
    assert [history.undo(), history.undo(), history.undo()] == [second, first, None], "back to the untouched view"
    assert not history.can_undo and history.undo() is None
    assert [history.redo(), history.redo()] == [first, second]
    assert history.entries == [first, second, third], "undo never loses a picture"

    fourth = history.add(entry(4))
    history.show(fourth)
    assert not history.can_redo, "showing something new after an undo ends the redo path"
    assert history.undo() is second and history.entries[2] is third, "the undone picture stays in the history"


def test_an_entry_taken_off_leaves_the_rest_of_the_timeline():
    history = History()
    first, second = history.add(entry(1)), history.add(entry(2))
    history.show(first)
    history.show(second)
    history.remove(second)
    assert history.current is first and history.entries == [first]
    assert history.undo() is None and history.redo() is first


def test_the_history_folder_is_read_back_oldest_first_skipping_bad_files_with_a_note(tmp_path):
    for stamp, seed in (("20240102-100000", 2), ("20240101-100000", 1)):
        save_image(tmp_path / f"{stamp}-cat-dream.png", np.full((30, 40, 3), seed, np.uint8), entry(seed).recipe)
    (tmp_path / "20240103-100000-cat-dream.png").write_bytes(b"\x89PNG damaged")
    save_image(tmp_path / "20240104-100000-cat-dream.png", np.zeros((8, 8, 3), np.uint8))  # no recipe
    save_image(
        tmp_path / "20240105-100000-cat-style.png", np.zeros((8, 8, 3), np.uint8), make_recipe("style", StyleParams())
    )

    entries, note = read_history(tmp_path, "dream")
    assert [item.params["seed"] for item in entries] == [1, 2]
    assert entries[0].thumbnail.shape[2] == 3 and entries[0].picture is None, "pictures are read when shown"
    assert np.array_equal(entries[1].image(), np.full((30, 40, 3), 2, np.uint8))
    assert "Skipped 2 history file(s)" in note and "20240103-100000-cat-dream.png" in note

    assert read_history(tmp_path / "missing", "dream") == ([], "")
