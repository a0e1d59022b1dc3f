"""Files and accounts for the portal tests (synthetic data only)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from evaluation.demo.files import write_csv_data
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses

CAT = Catalogue()
DET = CAT.instrument("detainee", CAT.latest("detainee", published_only=True))
FREE_TEXT = "Mijn celgenoot Jansen zegt dat het goed gaat"  # a free-text answer that must never be echoed
REPO = Path(__file__).resolve().parents[3]


def detainee_frame(site: str, n: int = 20, seed: int = 1) -> pd.DataFrame:
    frame = synthetic_responses(DET, n, site=site, seed=seed)
    frame["comment"] = [FREE_TEXT] * n
    return frame


def write_file(frame: pd.DataFrame, path: Path) -> Path:
    return write_csv_data(DET, frame, Path(path))


def three_mistakes(frame: pd.DataFrame) -> pd.DataFrame:
    """Three problems a coordinator can fix: an age band code out of range, a gender code, a wrong wave."""
    bad = frame.copy()
    bad.loc[bad.index[1], "age_band"] = 97
    bad.loc[bad.index[3], "gender"] = 42
    bad.loc[bad.index[5], "wave"] = 9
    return bad


def identifiers(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame["prison_number"]]


def python_cmd() -> list[str]:
    return [sys.executable]


def postgres_bin() -> Path | None:
    """The folder of Debian's initdb/pg_ctl (or the PATH's), or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    return None


class Postgres:
    """A throwaway PostgreSQL server: initdb in a temporary folder, listening on a Unix socket only.

    PostgreSQL refuses to run as root: when the tests run as root (a CI
    container), the server runs as Debian's ``postgres`` user (``runuser``).
    """

    def __init__(self):
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            pw = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o755)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *cmd: str) -> None:
        env = dict(os.environ, LC_ALL="C.UTF-8")
        subprocess.run([*self.as_user, *cmd], check=True, capture_output=True, env=env, cwd=self.root, timeout=120)

    def start(self) -> str:
        self._run("mkdir", str(self.sock))
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "portal", "-A", "trust", "-E", "UTF8",
                  "--no-sync")
        opts = f"-c listen_addresses='' -c unix_socket_directories='{self.sock}' -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"),
                  "-w", "start")
        return f"postgresql://portal@/postgres?host={self.sock}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def submit_and_wait(client, token, data=None):
    """Press 'Submit', then wait (as the page's script does) until the background job has stored the file."""
    r = client.post(f"/upload/{token}/submit/", data or {})
    assert r.status_code == 302 and r["Location"] == f"/upload/{token}/"
    for _ in range(1200):
        if client.get(f"/upload/{token}/state/").json()["done"]:
            break
        time.sleep(0.05)
    return client.get(f"/upload/{token}/", follow=True)
