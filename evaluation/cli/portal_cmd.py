"""``peer-eval portal [WORKSPACE]``: the web portal on localhost; ``peer-eval portal adduser NAME``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["register", "configure", "demo_accounts"]

EPILOG = """The portal runs on http://127.0.0.1:8000 (--port to change). Its own tables (accounts,
sessions, audit of access) are in WORKSPACE.portal/portal.sqlite3 (outside a git working
tree: ~/.local/state/peer-eval/ for a demo workspace in the repository), or in PostgreSQL when
DATABASE_URL is set. Submissions need the pseudonymisation key: $PEER_EVAL_KEY or
$PEER_EVAL_KEY_FILE, as for 'peer-eval submit'.

examples:
  peer-eval portal --demo                    # demo workspace + demo accounts (throwaway passwords)
  peer-eval portal ~/evaluation --port 8080
  peer-eval portal adduser jan --role coordinator --site P03 --language nl
  peer-eval portal adduser eva --role evaluator --workspace ~/evaluation
For production (gunicorn behind a reverse proxy) see the README, "Portal in production".
"""

DEMO_DIR = "portal-demo-workspace"
DEMO_ACCOUNTS = [
    ("demo-coordinator-nl", "coordinator", ["P01"], "nl"),
    ("demo-coordinator-fr", "coordinator", ["P05"], "fr"),
    ("demo-evaluator", "evaluator", [], "en"),
]


def register(sub) -> None:
    p = sub.add_parser("portal", help="start the web portal for coordinators and evaluators on localhost",
                       description="Start the web portal (Django) on this computer. Coordinators check and "
                                   "submit files in their browser; evaluators follow every prison.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workspace", nargs="?", metavar="WORKSPACE",
                   help="the evaluation workspace (default $PEER_EVAL_WORKSPACE, else ./peer-eval-workspace; "
                        f"with --demo ./{DEMO_DIR}); 'adduser' makes an account instead")
    p.add_argument("--demo", action="store_true",
                   help="use (or make) an empty demo workspace with a throwaway key, and demo accounts whose "
                        "throwaway passwords are printed once")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("extra", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=_portal)


def default_state_dir(ws: Path) -> Path:
    """``WORKSPACE.portal`` beside the workspace; outside any git working tree (a demo workspace may be in one).

    The state folder holds the portal's signing key and, for the demo, the
    throwaway pseudonymisation key: never where they could be committed.
    """
    import hashlib

    from evaluation.intake.pseudonymise import git_working_tree

    beside = Path(f"{ws}.portal")
    if git_working_tree(ws.parent if not ws.exists() else ws) is None:
        return beside
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "peer-eval"
    return base / f"portal-{ws.name}-{hashlib.sha256(str(ws).encode()).hexdigest()[:10]}"


def configure(workspace: str | os.PathLike | None, *, demo: bool = False) -> Path:
    """Point the portal's settings at ``workspace`` (environment) and start Django; return the workspace path."""
    if workspace is None:
        workspace = DEMO_DIR if demo else (os.environ.get("PEER_EVAL_WORKSPACE") or "peer-eval-workspace")
    ws = Path(workspace).expanduser().resolve()
    os.environ["PEER_EVAL_WORKSPACE"] = str(ws)
    os.environ.setdefault("PORTAL_STATE_DIR", str(default_state_dir(ws)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evaluation.portal.settings.development")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return ws


def _demo_workspace(ws: Path) -> None:
    """An empty demo workspace and a throwaway key file beside it (never inside it, never in git)."""
    from evaluation.intake.pseudonymise import PseudonymKey
    from evaluation.store import Workspace, WorkspaceError

    Workspace.open(ws, demo=True)
    state = Path(os.environ["PORTAL_STATE_DIR"])
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    keyfile = state / "demo-only-throwaway.key"
    if not keyfile.exists():
        fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(PseudonymKey.generate().text() + "\n")
    if not os.environ.get("PEER_EVAL_KEY"):
        os.environ["PEER_EVAL_KEY_FILE"] = str(keyfile)
    from evaluation.intake.submit import IntakeRefused, open_for_intake

    try:
        open_for_intake(ws)
    except IntakeRefused as exc:
        raise WorkspaceError(
            f"{exc}\nThe portal's demo needs its own workspace (not one made by 'peer-eval demo', whose key "
            f"was thrown away): run 'peer-eval portal --demo' without a folder, or give a new one.") from None


def demo_accounts() -> list[tuple[str, str, str]]:
    """Make (or reset) the demo accounts with new throwaway passwords; ``[(name, role, password)]``."""
    import secrets

    from django.contrib.auth import get_user_model

    from evaluation.portal.accounts.models import Profile
    from evaluation.portal.accounts.service import create_account

    out = []
    User = get_user_model()
    for name, role, sites, lang in DEMO_ACCOUNTS:
        password = "demo-" + secrets.token_urlsafe(12)
        user = User.objects.filter(username=name).first()
        if user is None:
            create_account(name, password, role=role, sites=sites, language=lang, demo=True, validate=False)
        else:
            if not Profile.objects.filter(user=user, demo=True).exists():
                continue  # a real account with this name: never touched
            user.set_password(password)
            user.save()
        out.append((name, role, password))
    return out


def _portal(args) -> int:
    if args.workspace == "adduser":
        return _adduser(args.extra)
    if args.extra:  # options given after WORKSPACE (argparse leaves them to the remainder)
        late = argparse.ArgumentParser(prog="peer-eval portal WORKSPACE", add_help=False)
        late.add_argument("--demo", action="store_true", default=args.demo)
        late.add_argument("--host", default=args.host)
        late.add_argument("--port", type=int, default=args.port)
        known, unknown = late.parse_known_args(args.extra)
        if unknown:
            print(f"unexpected arguments: {' '.join(unknown)}; see 'peer-eval portal --help'", file=sys.stderr)
            return 2
        args.demo, args.host, args.port = known.demo, known.host, known.port
    ws = configure(args.workspace, demo=args.demo)
    from evaluation.store import Workspace, WorkspaceError

    try:
        if args.demo:
            _demo_workspace(ws)
        elif (ws / "workspace.yaml").exists():
            Workspace.open(ws, create=False)
    except WorkspaceError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"Portal for the workspace {ws}")
    if args.demo:
        print("DEMO ONLY - synthetic data, throwaway key and passwords. Never use these accounts for real data.")
        print("Demo accounts (passwords shown this once; a new start makes new ones):")
        for name, role, password in demo_accounts():
            print(f"  {name:<22} {role:<12} {password}")
        print("The evaluator sets up a second factor (an authenticator app) at first sign-in.")
    print(f"Open http://{args.host}:{args.port}/ in your browser. Stop with Ctrl-C.", flush=True)
    from django.core.management import call_command

    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)
    return 0


def _adduser(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="peer-eval portal adduser",
                                description="Make a portal account (the password is asked, never an argument).")
    p.add_argument("username")
    p.add_argument("--role", choices=["coordinator", "evaluator", "data_controller"], default="coordinator")
    p.add_argument("--site", action="append", default=[], metavar="CODE", help="a prison code; repeat for several")
    p.add_argument("--language", choices=["nl", "fr", "en"], default="nl")
    p.add_argument("--workspace", metavar="DIR")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a = p.parse_args(argv)
    configure(a.workspace)
    from django.core.management import call_command
    from django.core.management.base import CommandError

    opts = ["--role", a.role, "--language", a.language] + [x for s in a.site for x in ("--site", s)]
    if a.password_stdin:
        opts.append("--password-stdin")
    try:
        call_command("adduser", a.username, *opts)
    except CommandError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0
