"""The `studio` command as a user meets it: outputs never destroy a file, bad models and unknown
words get a clear message, help shows every default, and TensorFlow's start-up noise stays hidden."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tiny import bar_pictures

import studio.cli
import studio.core.compute
from studio.cli import build_parser, main
from studio.commands import format_value
from studio.core.compute import quiet_stderr
from studio.core.model_files import (
    CYCLEGAN,
    CYCLEGAN_CLASS,
    GAN,
    GAN_CLASS,
    TEXT,
    TEXT_ENTRY,
    TEXT_FORMAT,
    VAE,
    VAE_ENTRY,
)
from studio.core.params.cyclegan import CycleGanParams
from studio.core.params.dream import DreamParams
from studio.core.params.gan import GanParams, GanSampleParams
from studio.core.params.style import StyleParams
from studio.core.params.text import SamplingParams, TextTrainParams
from studio.core.params.vae import VaeParams
from studio.core.progress import JobError

TENSORFLOW_WOULD_START = "TensorFlow would start here"


def fake_model(path: Path, kind: str) -> Path:
    """A zip that says it holds a model of `kind`: enough for the checks made before TensorFlow starts."""
    with zipfile.ZipFile(path, "w") as archive:
        if kind == VAE:
            archive.writestr("config.json", "{}")
            archive.writestr(VAE_ENTRY, json.dumps({"technique": VAE}))
        elif kind in (GAN, CYCLEGAN):
            registered = {GAN: GAN_CLASS, CYCLEGAN: CYCLEGAN_CLASS}[kind]
            archive.writestr("config.json", json.dumps({"registered_name": registered}))
        else:
            archive.writestr(TEXT_ENTRY, json.dumps({"format": TEXT_FORMAT}))
    return path


@pytest.fixture
def files(tmp_path):
    """A user's folder: two pictures, a folder of pictures, a corpus, and one model of each kind."""
    rng = np.random.default_rng(0)
    paths = {"dir": tmp_path}
    for name in ("pic", "pic2"):
        paths[name] = tmp_path / f"{name}.png"
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), np.uint8)).save(paths[name])
    paths["folder"] = tmp_path / "pictures"
    paths["folder"].mkdir()
    for index in range(3):
        Image.fromarray(rng.integers(0, 256, (20, 20, 3), np.uint8)).save(paths["folder"] / f"{index}.png")
    paths["corpus"] = tmp_path / "corpus.txt"
    paths["corpus"].write_text("The quick brown fox jumps over the lazy dog.\n" * 40, encoding="utf-8")
    paths["vae"] = fake_model(tmp_path / "vae.keras", VAE)
    paths["gan"] = fake_model(tmp_path / "gan.keras", GAN)
    paths["text"] = fake_model(tmp_path / "words.textmodel", TEXT)
    paths["cyclegan"] = fake_model(tmp_path / "seasons.keras", CYCLEGAN)
    return paths


@pytest.fixture
def tensorflow_never_starts(monkeypatch):
    """Make reaching the TensorFlow start a visible outcome: the checks before it either refused
    the command, or let it through to this message."""

    def refuse(verbose=False):
        raise JobError(TENSORFLOW_WOULD_START)

    monkeypatch.setattr(studio.core.compute, "start_tensorflow", refuse)


def lines(terminal_text: str) -> list[str]:
    """What a terminal shows as separate lines (a progress bar redrawn with \\r counts once per draw)."""
    return [line.strip() for line in terminal_text.replace("\r", "\n").split("\n") if line.strip()]


def command(template: str, files: dict, **extra) -> list[str]:
    return [word.format(**{**files, **extra}) for word in template.split()]


# Every verb, with an output (named by `out`) that the test makes exist first.
VERBS_WITH_OUTPUTS = {
    "dream": ("dream {pic} -o {out}", "out.png"),
    "style": ("style {pic} {pic2} -o {out}", "out.png"),
    "style checkpoint": ("style {pic} {pic2} -o {dir}/new.png --checkpoint-every 5", "new-checkpoint.png"),
    "text train": ("text train {corpus} -o {out}", "out.textmodel"),
    "text generate": ("text generate {text} -o {out}", "out.txt"),
    "vae train": ("vae train {folder} -o {out}", "out.keras"),
    "vae grid": ("vae grid {vae} -o {out}", "out.png"),
    "vae interpolate": ("vae interpolate {vae} {pic} {pic2} -o {out}", "out.gif"),
    "vae walk": ("vae walk {vae} -o {out}", "out.gif"),
    "gan train": ("gan train {folder} -o {out}", "out.keras"),
    "gan train grid": ("gan train {folder} -o {dir}/new.keras --grid {out}", "out.png"),
    "gan sample": ("gan sample {gan} -o {out}", "out.png"),
    "gan walk": ("gan walk {gan} -o {out}", "out.gif"),
    "cyclegan train": ("cyclegan train {folder} grass -o {out}", "out.keras"),
    "cyclegan train strip": ("cyclegan train grass gravel -o {dir}/new.keras --strip {out}", "out.png"),
    "cyclegan translate": ("cyclegan translate {cyclegan} {pic} -o {out}", "out.png"),
}


@pytest.mark.parametrize("verb", VERBS_WITH_OUTPUTS)
def test_every_verb_refuses_an_existing_output_unless_told_to_overwrite(verb, files, tensorflow_never_starts, capsys):
    template, name = VERBS_WITH_OUTPUTS[verb]
    out = files["dir"] / name
    out.write_bytes(b"a day of work")
    assert main(command(template, files, out=out)) == 2
    err = capsys.readouterr().err
    assert f"studio: {out} already exists. Add --overwrite to replace it, or choose another name." in err
    assert out.read_bytes() == b"a day of work"

    assert main([*command(template, files, out=out), "--overwrite"]) == 2
    assert TENSORFLOW_WOULD_START in capsys.readouterr().err  # --overwrite lets the job start


def refuses_to_write_over(template: str, target, role: str, files: dict, capsys) -> None:
    """`template`, writing -o `target` with --overwrite, is refused because `target` is its `role`,
    and `target` is left as it was."""
    before = target.read_bytes()
    assert main(command(template + " -o {target} --overwrite", files, target=target)) == 2
    assert f"studio: {target} is {role}: Studio never writes over what it reads" in capsys.readouterr().err
    assert target.read_bytes() == before


@pytest.mark.parametrize(
    ("template", "output", "role"),
    [
        ("dream {pic}", "pic", "the picture to dream on"),
        ("dream {pic} --mask {pic2}", "pic2", "the mask"),
        ("style {pic} {pic2}", "pic2", "a style picture"),
        ("text train {corpus}", "corpus", "part of the corpus"),
        ("gan sample {gan}", "gan", "the model"),
        ("cyclegan train grass {pic}", "pic", "collection B"),
        ("cyclegan translate {cyclegan} {pic}", "pic", "the input"),
    ],
)
def test_an_output_that_is_an_input_is_refused_even_with_overwrite(
    template, output, role, files, tensorflow_never_starts, capsys
):
    refuses_to_write_over(template, files[output], role, files, capsys)


@pytest.mark.parametrize(
    ("training", "model"),
    [
        ("text train {corpus}", "text"),
        ("vae train {folder}", "vae"),
        ("gan train {folder}", "gan"),
        ("cyclegan train grass gravel", "cyclegan"),
    ],
)
def test_training_never_writes_over_the_model_it_resumes(training, model, files, tensorflow_never_starts, capsys):
    refuses_to_write_over(f"{training} --resume {{{model}}}", files[model], "the model to resume", files, capsys)


def test_another_name_for_an_input_is_still_the_input(files, tensorflow_never_starts, capsys, monkeypatch):
    picture = files["pic"]
    before = picture.read_bytes()
    os.link(picture, files["dir"] / "hard.png")
    (files["dir"] / "soft.png").symlink_to(picture)
    monkeypatch.chdir(files["dir"])
    for other_name in ("hard.png", "soft.png", "./pic.png", f"../{files['dir'].name}/pic.png"):
        assert main(["dream", str(picture), "-o", other_name, "--overwrite"]) == 2
        assert "is the picture to dream on" in capsys.readouterr().err
    assert picture.read_bytes() == before


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("vae train {folder} -o {dir}/model.png", "Save the model as .keras, not as 'model.png'."),
        ("gan train {folder} -o {dir}/model.textmodel", "Save the model as .keras, not as 'model.textmodel'."),
        ("text train {corpus} -o {dir}/m.keras", "Save the text model as .textmodel, not as 'm.keras'."),
        ("text generate {text} -o {dir}/t.png", "Save the text as .txt or .md, not as 't.png'."),
        ("vae walk {vae} -o {dir}/walk.png", "Save the animation as .gif or .mp4, not as 'walk.png'."),
        ("dream {pic} -o {dir}/out.keras", "Save the picture as .png, .jpg, .jpeg, .webp, .tif or .tiff, not as"),
        ("gan train {folder} -o {dir}/g.keras --grid {dir}/g.gif", "Save the picture as .png"),
        ("dream {pic} -o {folder}", "pictures is a folder; give a file name, such as"),
        ("dream {pic} -o {dir}/missing/out.png", "missing does not exist. Create it first, or save somewhere else."),
        ("dream {pic} -o {pic}/out.png", "pic.png does not exist"),
        ("gan sample {vae} -o {dir}/g.png", "vae.keras holds a VAE, not a GAN. Open it as a VAE instead."),
        ("vae grid {gan} -o {dir}/g.png", "gan.keras holds a GAN, not a VAE."),
        ("text generate {vae}", "vae.keras holds a VAE, not a text model."),
        ("text train {corpus} --resume {gan} -o {dir}/t.textmodel", "gan.keras holds a GAN, not a text model."),
        ("vae grid {pic} -o {dir}/g.png", "pic.png is not a model file; choose a VAE saved by Studio."),
        ("vae grid {dir}/gone.keras -o {dir}/g.png", "gone.keras was not found."),
        ("gan train {folder} -o {dir}/a.keras --grid {dir}/a.keras", "a.keras is given as two outputs"),
        ("cyclegan translate {gan} {pic} -o {dir}/t.png", "gan.keras holds a GAN, not a CycleGAN."),
        ("cyclegan train grass gravel --resume {vae} -o {dir}/c.keras", "vae.keras holds a VAE, not a CycleGAN."),
        ("gan sample {cyclegan} -o {dir}/g.png", "seasons.keras holds a CycleGAN, not a GAN."),
        ("cyclegan translate {cyclegan} {pic} -o {dir}/t.gif", "Save the picture or new folder as .png"),
        ("cyclegan train grass gravel -o {dir}/c.png", "Save the model as .keras, not as 'c.png'."),
        ("dream {pic} -o {dir}/d.png --layers block4_conv1=x", "studio: 'block4_conv1=x' is not name=weight"),
        (
            "style {pic} {pic2} -o {dir}/s.png --blend 1,x",
            "studio: '1,x' is not a list of numbers (for example 1,0.5).",
        ),
        ("vae train {folder} -o {dir}/v.keras --filters 8,x", "studio: --filters takes widths like 32,64, not '8,x'."),
        (
            "text train {corpus} -o {dir}/t.textmodel --temperatures 0.5,hot",
            "studio: '0.5,hot' is not a list of numbers",
        ),
    ],
)
def test_wrong_outputs_and_models_are_refused_before_tensorflow_starts(
    template, message, files, tensorflow_never_starts, capsys
):
    assert main(command(template, files)) == 2
    err = capsys.readouterr().err
    assert message in err and TENSORFLOW_WOULD_START not in err
    assert sorted(p.name for p in files["dir"].iterdir()) == sorted(
        ["pic.png", "pic2.png", "pictures", "corpus.txt", "vae.keras", "gan.keras", "words.textmodel", "seasons.keras"]
    )


def test_a_refused_output_costs_no_tensorflow_import(files):
    """The checks run in a fresh process before TensorFlow is imported: a refusal is instant."""
    existing = files["dir"] / "model.keras"
    existing.write_bytes(b"a GAN trained all night")
    script = (
        "import sys; from studio.cli import main; "
        f"code = main(['vae', 'train', {str(files['folder'])!r}, '-o', {str(existing)!r}]); "
        "print(code, 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["2", "False", "False"], done.stderr
    assert "model.keras already exists" in done.stderr
    assert existing.read_bytes() == b"a GAN trained all night"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_write_permission_is_refused_before_tensorflow_starts(files, tensorflow_never_starts, capsys):
    locked = files["dir"] / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(command("vae grid {vae} -o {locked}/g.png", files, locked=locked)) == 2
        assert "Studio may not write in" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_unknown_words_are_refused_and_a_file_opens_the_app(files, monkeypatch, capsys):
    opened = []
    monkeypatch.setattr(studio.cli, "open_app", lambda paths, verbose: opened.append((paths, verbose)) or 0)
    assert main(["diffusion", "--help"]) == 2
    assert capsys.readouterr().err == (
        "studio: 'diffusion' is neither a verb nor a file. "
        "Verbs: cyclegan, dream, gan, style, text, vae (studio VERB --help tells more).\n"
    )
    assert opened == []
    assert main([str(files["pic"])]) == 0
    assert main([]) == 0
    assert main(["--verbose", str(files["pic"])]) == 0
    assert main([str(files["pic"]), "--verbose"]) == 0
    assert opened == [
        ([str(files["pic"])], False),
        ([], False),
        ([str(files["pic"])], True),
        ([str(files["pic"])], True),
    ]


# -- help ------------------------------------------------------------------------------------------
def leaf_parsers(parser, path=()):
    """(words, parser) for every verb that runs something: `dream`, `vae train`, `style apply`, ..."""
    choices = [a.choices for a in parser._actions if a.choices and isinstance(a.choices, dict)]
    if not choices:
        yield path, parser
    for group in [*choices, getattr(parser, "sub_verbs", {})]:
        for name, sub in group.items():
            yield from leaf_parsers(sub, (*path, name))


def option_help(parser, action) -> str:
    return parser._get_formatter()._expand_help(action)


def test_every_verb_that_writes_declares_its_files_so_they_are_checked():
    for words, parser in leaf_parsers(build_parser()):
        writes = any(action.dest == "output" for action in parser._actions)
        assert not writes or parser.get_default("file_roles") is not None, f"studio {' '.join(words)}"


def test_every_option_has_help_and_shows_its_default():
    verbs = dict(leaf_parsers(build_parser()))
    assert {("dream",), ("style",), ("style", "train-model"), ("style", "apply"), ("text", "generate")} <= set(verbs)
    for words, parser in verbs.items():
        roles = parser.get_default("file_roles")
        files = {*roles.inputs, *roles.outputs} if roles else set()
        for action in parser._actions:
            assert action.help, f"studio {' '.join(words)} {action.option_strings or action.dest} has no help"
            takes_value = action.option_strings and action.nargs != 0 and not action.required
            if takes_value and action.dest not in files:
                assert "(default" in option_help(parser, action), f"{' '.join(words)} {action.option_strings}"


@pytest.mark.parametrize(
    ("words", "defaults"),
    [
        (("dream",), DreamParams()),
        (("style",), StyleParams()),
        (("text", "train"), TextTrainParams()),
        (("text", "generate"), SamplingParams()),
        (("vae", "train"), VaeParams()),
        (("gan", "train"), GanParams()),
        (("gan", "sample"), GanSampleParams()),
        (("cyclegan", "train"), CycleGanParams()),
    ],
)
def test_options_that_default_to_the_recipe_show_the_parameters_real_default(words, defaults):
    parser = dict(leaf_parsers(build_parser()))[words]
    fields = {field.name for field in dataclasses.fields(defaults)}
    checked = 0
    for action in parser._actions:
        value = getattr(defaults, action.dest, None)
        if action.dest in fields and action.nargs != 0 and value is not None:
            assert f"(default: {format_value(value)})" in option_help(parser, action), action.option_strings
            checked += 1
    assert checked >= 2


def test_help_reads_as_a_user_sees_it(capsys):
    assert main(["gan", "train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "usage: studio gan train" in text and "[dataset]" in text
    epochs = GanParams().epochs
    assert f"--epochs EPOCHS epochs in all (a resumed model counts those it has done) (default: {epochs})" in text
    assert "--resume MODEL a GAN to train further" in text
    assert "--grey train on greyscale (the default)" in text
    assert "--overwrite replace outputs that already exist" in text and "--verbose" in text


# -- quiet start, clear ends -----------------------------------------------------------------------
def test_tensorflow_start_up_lines_are_hidden_the_rest_is_kept_and_all_replayed_when_the_start_fails(capfd):
    absl = b"I0000 00:00:1795524769.593843   32040 port.cc:153] oneDNN custom operations are on.\n"
    with quiet_stderr():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, absl)
        os.write(2, b"a warning from the GUI thread meanwhile\n")
    assert capfd.readouterr().err == "a warning from the GUI thread meanwhile\n"
    with pytest.raises(ImportError), quiet_stderr():
        os.write(2, absl)
        os.write(2, b"libcudart.so: cannot open shared object file\n")
        raise ImportError("no TensorFlow")
    assert capfd.readouterr().err == absl.decode() + "libcudart.so: cannot open shared object file\n"
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_an_error_after_the_progress_bar_starts_on_its_own_line(tmp_path, capsys):
    short = tmp_path / "short.txt"
    short.write_text("Too short.", encoding="utf-8")
    assert main(["text", "train", str(short), "-o", str(tmp_path / "m.textmodel")]) == 2
    err = capsys.readouterr().err
    assert "Building the vocabulary" in err  # the bar was drawn
    assert "\nstudio: The corpus is only 10 characters long" in err


def test_text_train_names_its_corpus_and_resume_writes_to_a_new_file(tmp_path, capsys):
    from studio.engines.text import load_text_model

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(("Café déjà vu, the quick brown fox. " * 30).encode("latin-1"))
    (corpus / "b.txt").write_text("Pack my box with five dozen liquor jugs.\n" * 20, encoding="utf-8")
    (corpus / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    small = ["--level", "word", "--sequence-length", "8", "--batch-size", "4", "--steps-per-epoch", "2"]
    first, second = tmp_path / "first.textmodel", tmp_path / "second.textmodel"
    assert main(["text", "train", str(corpus), "-o", str(first), "--epochs", "1", *small]) == 0
    captured = capsys.readouterr()
    assert "Corpus: a.txt, b.txt; a.txt read as cp1252; skipped 1 non-text file: photo.jpg" in lines(captured.err)
    assert "after 1 epochs" in captured.out
    before = first.read_bytes()
    resume = ["text", "train", str(corpus), "--resume", str(first), "-o", str(second), "--epochs", "2", *small]
    assert main(resume) == 0
    assert load_text_model(second).epochs_done == 2
    assert first.read_bytes() == before  # the model resumed from is kept as it was
    assert "Café" in load_text_model(second).tokenizer.vocabulary  # read as cp1252, not cp1257


# -- real models: overwrite, damage ----------------------------------------------------------------
def damaged_copy(model: Path, target: Path, damage) -> Path:
    """`model` with its weights damaged by `damage(bytes) -> bytes`, in a zip that is itself sound."""
    with zipfile.ZipFile(model) as source, zipfile.ZipFile(target, "w") as copy:
        for name in source.namelist():
            data = source.read(name)
            copy.writestr(name, damage(data) if name.endswith(".h5") else data)
    return target


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def garbled(data: bytes) -> bytes:
    return data[:4096] + bytes(len(data) - 4096)


def test_vae_verbs_overwrite_only_when_told_and_name_damaged_models(tmp_path, capsys):
    folder = bar_pictures(tmp_path / "bars", 8)
    (folder / "readme.md").write_text("not a picture")
    model = tmp_path / "bars.keras"
    tiny = ["--size", "16", "--filters", "8", "--epochs", "1", "--batch-size", "4", "--seed", "1"]
    assert main(["vae", "train", str(folder), "-o", str(model), *tiny]) == 0
    assert "8 pictures from bars; skipped 1 file that is not a picture: readme.md" in lines(capsys.readouterr().err)

    grid = tmp_path / "grid.png"
    grid.write_bytes(b"yesterday's grid")
    assert main(["vae", "grid", str(model), "-o", str(grid), "-n", "3"]) == 2
    assert grid.read_bytes() == b"yesterday's grid"
    assert main(["vae", "grid", str(model), "-o", str(grid), "-n", "3", "--overwrite"]) == 0
    with Image.open(grid) as picture:
        assert picture.size == (48, 48)

    for damage in (truncated, garbled):
        broken = damaged_copy(model, tmp_path / f"{damage.__name__}.keras", damage)
        assert main(["vae", "grid", str(broken), "-o", str(tmp_path / "g.png")]) == 2
        err = capsys.readouterr().err
        assert f"\nstudio: {broken.name} is damaged: its weights cannot be read" in err
        assert "Use another copy of the model, or train it again." in err and "Traceback" not in err
        assert main(["vae", "train", str(folder), "--resume", str(broken), "-o", str(tmp_path / "r.keras")]) == 2
        assert f"{broken.name} is damaged" in capsys.readouterr().err


def test_text_generate_names_a_damaged_model(tmp_path, capsys):
    from studio.engines.text import TextModel, save_text_model
    from studio.engines.text_models import build_model
    from studio.engines.text_tokens import Tokenizer

    tokenizer = Tokenizer("word", ["[UNK]", "the", "dog", "."])
    params = TextTrainParams(architecture="gru", size="tiny", sequence_length=8, dropout=0.0)
    model = build_model(params, tokenizer.size)
    good = save_text_model(tmp_path / "good.textmodel", TextModel(model, tokenizer, params, 1))

    def damaged_inner_model(data: bytes) -> bytes:
        inner = tmp_path / "inner.keras"
        inner.write_bytes(data)
        return damaged_copy(inner, tmp_path / "inner-damaged.keras", truncated).read_bytes()

    broken = tmp_path / "broken.textmodel"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as copy:
        for name in source.namelist():
            data = source.read(name)
            copy.writestr(name, damaged_inner_model(data) if name == "model.keras" else data)
    assert main(["text", "generate", str(broken), "--length", "3"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("studio: broken.textmodel is damaged: its weights cannot be read")
    assert captured.out == ""  # no prompt printed before the error


def test_tensorflow_start_up_noise_is_hidden_but_errors_are_not(tmp_path):
    """In a fresh process, as a user runs it: TensorFlow's C++ chatter (absl, oneDNN, cuInit on a
    machine without GPU) must not reach the terminal; the error must, on its own line."""
    from studio.engines.vae import Vae

    model = tmp_path / "tiny.keras"
    Vae.build(VaeParams(image_size=16, filters=(8,), latent_dim=2)).save(model)
    broken = damaged_copy(model, tmp_path / "broken.keras", truncated)
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-m", "studio", "vae", "grid", str(broken), "-o", str(tmp_path / "g.png")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 2
    shown = lines(done.stderr)
    assert shown[-1].startswith("studio: broken.keras is damaged: its weights cannot be read")
    noise = [line for line in shown[:-1] if not line.startswith("[")]  # only progress bars besides the error
    assert noise == [], done.stderr


def test_training_hides_tensorflow_log_lines(tmp_path):
    """Grappler logs "remapper failed" at ERROR level while a VAE trains (a skipped fusion, no harm
    done); as a user runs it, no TensorFlow log line may reach the terminal."""
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    command = [sys.executable, "-m", "studio", "vae", "train", "faces", "-o", str(tmp_path / "v.keras")]
    done = subprocess.run(
        [*command, "--limit", "16", "--epochs", "1", "--size", "16", "--batch-size", "8"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert not re.search(r"\w+\.cc:\d+\]", done.stderr), done.stderr  # absl's "file.cc:LINE]" mark
