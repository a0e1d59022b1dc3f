"""No tracebacks: every hostile or careless situation of issue 17 gets a plain message and a non-zero exit.

Each case runs the real ``peer-eval`` command in a child process (as a user
would) and checks: exit code non-zero, no ``Traceback`` and no Python
exception type on the terminal, no escape sequence, output of bounded
length. The workspace is checked unchanged where the case must not touch it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
KEY_HEX = "ab" * 32
OTHER_HEX = "cd" * 32


def run(*args, cwd: Path, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), "HOME": str(cwd)}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "evaluation.cli", *map(str, args)], cwd=cwd, env=e,
                          capture_output=True, text=True, timeout=timeout)


def key_file(folder: Path, hex_: str = KEY_HEX, mode: int = 0o600) -> Path:
    f = folder / f"key-{hex_[:2]}.txt"
    f.write_text(hex_ + "\n")
    f.chmod(mode)
    return f


def good_csv(folder: Path, name: str = "staff_P03.csv") -> Path:
    """A valid staff file (CSV) made from the catalogue's synthetic responses."""
    from evaluation.instruments import Catalogue
    from evaluation.instruments.synthetic import synthetic_responses

    c = Catalogue()
    df = synthetic_responses(c.instrument("staff", c.latest("staff")), 5, site="P03", seed=4)
    path = folder / name
    df.to_csv(path, sep=";", index=False)
    return path


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> dict:
    """A workspace with one accepted file, a key file, and the bad inputs."""
    root = tmp_path_factory.mktemp("cli")
    key = key_file(root)
    src = good_csv(root)
    ws = root / "ws"
    r = run("submit", src, "--site", "P03", "--workspace", ws, "--key-file", key, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    return {"root": root, "key": key, "ws": ws, "src": src}


def _cases(place) -> dict[str, tuple]:
    root, key, ws, src = place["root"], place["key"], place["ws"], place["src"]
    cases: dict[str, tuple] = {}
    d = root / "a-directory"
    d.mkdir(exist_ok=True)
    cases["check a directory"] = ("check", d)
    cases["check a missing file"] = ("check", root / "nope.csv")
    fifo = root / "fifo.csv"
    if not fifo.exists():
        os.mkfifo(fifo)
    cases["check a FIFO"] = ("check", fifo)
    cases["check /dev/zero"] = ("check", "/dev/zero")
    dangling = root / "dangling.csv"
    if not dangling.is_symlink():
        dangling.symlink_to(root / "gone.csv")
    cases["check a dangling symlink"] = ("check", dangling)
    loop = root / "loop.csv"
    if not loop.is_symlink():
        loop.symlink_to(loop)
    cases["check a symlink loop"] = ("check", loop)
    cases["submit --site p03 (lower case)"] = ("submit", src, "--site", "p03", "--workspace", ws, "--key-file", key)
    cases["submit --site with quotes"] = ("submit", src, "--site", "P0'3\"", "--workspace", ws, "--key-file", key)
    cases["submit a 10 MB --site"] = ("submit", src, "--site", "P" * 100_000,
                                      "--workspace", ws, "--key-file", key)
    ansi = root / "\x1b[31mred\x1b[0m.csv"
    shutil.copy(src, ansi)
    cases["check a file name with escape sequences"] = ("check", ansi)
    qdpx = root / "bitflip.qdpx"
    with zipfile.ZipFile(qdpx, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
                   + "<Users/>" * 2000 + "</Project>")
    data = bytearray(qdpx.read_bytes())
    data[60] ^= 0xFF
    qdpx.write_bytes(bytes(data))
    cases["interviews import a bit-flipped .qdpx"] = ("interviews", "import", qdpx, "--site", "P03", "--workspace", ws,
                                                     "--key-file", key)
    ent = root / "entity.qdpx"
    with zipfile.ZipFile(ent, "w") as z:
        z.writestr("project.qde", '<?xml version="1.0"?><!DOCTYPE P [<!ENTITY e "x">]>'
                   '<Project xmlns="urn:QDA-XML:project:1.0" name="&e;"><Sources>&e;</Sources></Project>')
    cases["interviews import an entity reference in project.qde"] = ("interviews", "import", ent, "--site", "P03",
                                                                    "--workspace", ws, "--key-file", key)
    cases["erase with the wrong key"] = ("erase", "AB-12345", "--workspace", ws, "--key-file", key_file(root, OTHER_HEX))
    binary = root / "binary.key"
    binary.write_bytes(bytes(range(256)))
    binary.chmod(0o600)
    cases["erase with a binary key file"] = ("erase", "AB-12345", "--workspace", ws, "--key-file", binary)
    utf16 = root / "utf16.key"
    utf16.write_bytes(KEY_HEX.encode("utf-16"))
    utf16.chmod(0o600)
    cases["submit with a UTF-16 key file"] = ("submit", src, "--site", "P03", "--workspace", ws, "--key-file", utf16)
    cases["submit with a key file readable by everyone"] = ("submit", src, "--site", "P03", "--workspace", ws,
                                                            "--key-file", key_file(root / "a-directory", mode=0o644))
    a_file = root / "not-a-folder.txt"
    a_file.write_text("x")
    cases["--workspace pointing at a file"] = ("submissions", "--workspace", a_file)
    bad_yaml = root / "bad-yaml"
    shutil.copytree(ws, bad_yaml, dirs_exist_ok=True)
    (bad_yaml / "workspace.yaml").chmod(0o600)
    (bad_yaml / "workspace.yaml").write_text("format: [1\n  demo: {{{")
    cases["corrupt workspace.yaml"] = ("submit", src, "--site", "P03", "--workspace", bad_yaml, "--key-file", key)
    bad_db = root / "bad-db"
    shutil.copytree(ws, bad_db, dirs_exist_ok=True)
    (bad_db / "evaluation.sqlite").chmod(0o600)
    (bad_db / "evaluation.sqlite").write_bytes(os.urandom(8192))
    cases["garbage database (submit)"] = ("submit", src, "--site", "P03", "--workspace", bad_db, "--key-file", key)
    cases["garbage database (status)"] = ("status", "--workspace", bad_db)
    cases["garbage database (erase)"] = ("erase", "AB-12345", "--workspace", bad_db, "--key-file", key)
    return cases


#: valid files with a hostile name: accepted, but the name is echoed cleaned
MAY_SUCCEED = {"check a file name with escape sequences",
               "submit --site p03 (lower case)"}  # a site code in lower case is read as upper case (issue 15)


def test_every_situation_gets_a_message_and_a_non_zero_exit(place):
    failures = []
    for name, args in _cases(place).items():
        r = run(*args, cwd=place["root"])
        out = r.stdout + r.stderr
        why = []
        if r.returncode == 0 and name not in MAY_SUCCEED:
            why.append("exit 0")
        if "Traceback" in out or "Error:" in out.split("\n")[-2:][0] and "File \"" in out:
            why.append("traceback")
        if "\x1b" in out:
            why.append("escape sequence on the terminal")
        if len(out) > 20_000:
            why.append(f"{len(out)} characters printed")
        if not out.strip():
            why.append("no message")
        if why:
            failures.append(f"{name}: {', '.join(why)}\n{out[-800:]}")
    assert not failures, "\n\n".join(failures)


def test_the_workspace_is_unchanged_by_refused_commands(place):
    from evaluation.store import Store, Workspace

    with Store(Workspace.open(place["ws"])) as st:
        accepted = st.query("SELECT COUNT(*) AS n FROM submissions WHERE status = 'accepted'").n[0]
    assert accepted == 1


def test_last_resort_handler_names_what_failed_without_internals(monkeypatch, capsys):
    import sqlite3

    from evaluation import cli

    cases = [PermissionError(13, "Permission denied", "/ws/raw"), sqlite3.OperationalError("attempt to write a readonly database"),
             sqlite3.DatabaseError("file is not a database"), KeyError("participant"), RuntimeError("\x1b[31mboom")]
    for exc in cases:
        def boom(args, exc=exc):
            raise exc
        monkeypatch.setattr(cli, "build_parser", lambda: _parser(boom))
        code = cli.main(["x"])
        err = capsys.readouterr().err
        assert code != 0 and "Traceback" not in err and "\x1b" not in err and err.strip()
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(KeyError):
        monkeypatch.setattr(cli, "build_parser", lambda: _parser(lambda a: (_ for _ in ()).throw(KeyError("x"))))
        cli.main(["x"])


def _parser(func):
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("x")
    p.set_defaults(func=func)
    return p
