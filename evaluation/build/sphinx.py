"""Assemble the generated book and run ``jupyter-book build`` on it.

The generated copy (``<workspace>/book-cache/src``) holds ``book/`` with each
executed chapter as ``<name>.ipynb`` *instead of* its ``<name>.md`` (with both,
Sphinx picks one at random), prepared for readers (:mod:`.readers`), a ``_toc.yml`` listing only the chapters that
exist, and a ``_config.yml`` with execution off and, for the demo workspace,
an announcement banner saying the data are synthetic on every page.

Sphinx runs with ``-W -n --keep-going`` (a missing chapter or reference fails
the build) into a fresh, empty ``_build`` every time (incremental output
differs from a fresh build), with ``SOURCE_DATE_EPOCH`` set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .chapters import Chapter

if TYPE_CHECKING:
    import nbformat

__all__ = ["translated_captions", "SphinxFailed", "SYNTHETIC_NOTICE", "EDITIONS", "EDITION_TEXTS", "assemble", "generated_config",
           "generated_toc", "run_sphinx", "install_html"]

#: The report's editions: English at the site's root, Dutch under ``nl/``, French under ``fr/``.
EDITIONS = ("en", "nl", "fr")
#: What the build itself writes on every page (banner, footer, PDF cover), in each edition's language.
EDITION_TEXTS = {
    "en": {
        "name": "English",
        "locale": "en",
        "languages": "Language",
        "title": "Peer support in Belgian prisons: evaluation of the D&D projects",
        "notice": "Synthetic data: this report is built from the fictional demo evaluation. "
                  "No real person, prison or result is described.",
        "footer": "Built by <code>peer-eval build</code> from the evaluation workspace.",
        "pdf": "The whole report as a PDF",
        "snapshot": "Data snapshot",
        "no_data": "no data yet",
    },
    "nl": {
        "name": "Nederlands",
        "locale": "nl_BE",
        "languages": "Taal",
        "title": "Ondersteuning door ervaringsdeskundigen in Belgische gevangenissen: evaluatie van de D&D-projecten",
        "notice": "Synthetische gegevens: dit rapport is gemaakt met de fictieve demo-evaluatie. "
                  "Er wordt geen echte persoon, gevangenis of uitkomst beschreven.",
        "footer": "Gemaakt door <code>peer-eval build</code> uit de evaluatiewerkruimte.",
        "pdf": "Het volledige rapport als pdf",
        "snapshot": "Momentopname van de gegevens",
        "no_data": "nog geen gegevens",
    },
    "fr": {
        "name": "Français",
        "locale": "fr_BE",
        "languages": "Langue",
        "title": "Le soutien par les pairs dans les prisons belges : évaluation des projets D&D",
        "notice": "Données synthétiques : ce rapport est construit à partir de l’évaluation de démonstration "
                  "fictive. Aucune personne, prison ou résultat réel n’y est décrit.",
        "footer": "Produit par <code>peer-eval build</code> à partir de l’espace de travail de l’évaluation.",
        "pdf": "Le rapport complet en PDF",
        "snapshot": "Instantané des données",
        "no_data": "pas encore de données",
    },
}
SYNTHETIC_NOTICE = EDITION_TEXTS["en"]["notice"]
_SKIP = {"_build", ".ipynb_checkpoints", "__pycache__", "jupytext.toml"}


class SphinxFailed(RuntimeError):
    """``jupyter-book build`` failed; the message holds its warnings and errors."""


def generated_config(book_dir: Path, *, demo: bool, snapshot: str | None = None, language: str = "en",
                     editions: tuple[str, ...] = EDITIONS) -> dict:
    """``book/_config.yml`` for the edition ``language``: execution off, Sphinx's ``language`` (the pages'
    ``<html lang>``, the gettext catalogues of ``book/locales``), the title, footer and banner in that
    language (:data:`EDITION_TEXTS`), the data snapshot's date in the footer (``snapshot``, already
    written for readers) and, for the demo, the synthetic-data banner."""
    words = EDITION_TEXTS[language]
    config = yaml.safe_load((Path(book_dir) / "_config.yml").read_text(encoding="utf-8")) or {}
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    config["only_build_toc_files"] = True
    if language != "en" or not config.get("title"):
        config["title"] = words["title"]
    html = config.setdefault("html", {})
    if language != "en" or not html.get("extra_footer"):
        html["extra_footer"] = words["footer"]
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["language"] = language
    # a strftime format without a % field is printed as it is: the snapshot's date, never the build's
    sphinx_config["html_last_updated_fmt"] = (snapshot or words["no_data"]).replace("%", "%%")
    context = sphinx_config.setdefault("html_context", {})
    context.update({"peer_eval_edition": language, "peer_eval_editions": list(editions),
                    "peer_eval_edition_names": {lang: EDITION_TEXTS[lang]["name"] for lang in editions},
                    "peer_eval_languages_label": words["languages"],
                    "peer_eval_snapshot_label": words["snapshot"]})
    from .browser import CHROMIUM

    if Path(CHROMIUM).exists():  # the build prints the whole report to report.pdf (evaluation.build.pdf)
        html["extra_footer"] = (str(html.get("extra_footer") or "")
                                + f' <a class="report-pdf" href="report.pdf">{words["pdf"]}</a>.')
    if demo:
        html["announcement"] = f"⚠️ {words['notice']}"
    return config


def generated_toc(toc: dict, present: set[str]) -> dict:
    """The toc without entries whose chapter does not exist (yet)."""

    def keep(node):
        if isinstance(node, dict):
            node = dict(node)
            for key in ("parts", "chapters", "sections"):
                if key in node:
                    kids = [keep(k) for k in node[key]]
                    kids = [k for k in kids if k is not None]
                    if kids:
                        node[key] = kids
                    else:
                        del node[key]
            if "file" in node and node["file"] not in present:
                return None
            if "caption" in node and "chapters" not in node and "file" not in node:
                return None
            return node
        return node

    return keep(toc)


def assemble(book_dir: Path, dest: Path, notebooks: dict[str, nbformat.NotebookNode | Path], toc: dict,
             *, demo: bool, snapshot: str | None = None, language: str = "en",
             editions: tuple[str, ...] = EDITIONS) -> Path:
    """Write the generated book of the edition ``language`` into ``dest`` (emptied first) and return it.

    Every notebook is prepared for readers in that language (:func:`.readers.for_readers`); one given as
    a :class:`~pathlib.Path` (a cached, executed notebook) is read first, and its prepared copy is kept
    beside it (``<name>.readers.<language>.ipynb``).
    """
    book_dir, dest = Path(book_dir), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for src in sorted(book_dir.rglob("*")):
        rel = src.relative_to(book_dir)
        if any(part in _SKIP for part in rel.parts) or src.is_dir():
            continue
        if rel.suffix == ".md" and rel.with_suffix("").as_posix() in notebooks:
            continue
        if rel.name in ("_config.yml", "_toc.yml") or rel.suffix == ".mo":  # Sphinx compiles the .po files
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)
    for name, nb in notebooks.items():
        out = dest / f"{name}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, Path):
            # A cached chapter: its reader-prepared copy is kept beside it, so a build with nothing changed
            # copies files and never imports nbformat (issue 18: a no-change build under 1.5 s).
            ready = nb.with_name(f"{nb.stem}.readers.{language}.ipynb")
            if not (ready.is_file() and ready.stat().st_mtime_ns > nb.stat().st_mtime_ns):
                _write_for_readers(_read_notebook(nb), ready, language)
            shutil.copyfile(ready, out)
        else:
            _write_for_readers(nb, out, language)
    config = generated_config(book_dir, demo=demo, snapshot=snapshot, language=language, editions=editions)
    (dest / "_config.yml").write_text(yaml.safe_dump(config,
                                                     sort_keys=False,
                                                     allow_unicode=True), encoding="utf-8")
    edition_toc = generated_toc(toc, set(notebooks) | _pages(book_dir, toc))
    if language != "en":
        edition_toc = translated_captions(edition_toc, Path(book_dir) / "locales" / language / "LC_MESSAGES"
                                          / f"{toc.get('root', 'intro')}.po")
    (dest / "_toc.yml").write_text(yaml.safe_dump(edition_toc, sort_keys=False, allow_unicode=True),
                                   encoding="utf-8")
    return dest


def translated_captions(toc: dict, catalogue: Path) -> dict:
    """``toc`` with its part captions ("Results") in the edition's language, from the root page's catalogue
    (where Sphinx's gettext builder puts them). jupyter-book inserts the toctrees after Sphinx's i18n
    transform has run, so the sidebar would otherwise stay in English; a caption without a translation is
    kept (and listed by the build like any message)."""
    if not catalogue.is_file():
        return toc
    from babel.messages.pofile import read_po

    with catalogue.open("rb") as f:
        words = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}

    def walk(node):
        if isinstance(node, dict):
            node = {k: walk(v) for k, v in node.items()}
            if isinstance(node.get("caption"), str):
                node["caption"] = words.get(node["caption"], node["caption"])
            return node
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(toc)


def _read_notebook(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _write_for_readers(nb, out: Path, language: str = "en") -> None:
    """Write ``nb`` prepared for readers of ``language`` (:func:`.readers.for_readers`) to ``out``, atomically."""
    import threading

    import nbformat

    from .readers import for_readers

    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    nbformat.write(for_readers(nb, language), tmp)
    os.replace(tmp, out)


def _pages(book_dir: Path, toc: dict) -> set[str]:
    """Toc entries that are plain pages (``.md`` without code), present in ``book_dir``."""
    from .chapters import toc_entries

    return {e for e in toc_entries(toc) if (Path(book_dir) / f"{e}.md").is_file()}


def run_sphinx(source: Path, build_root: Path, *, timeout: int = 600) -> Path:
    """``jupyter-book build source --path-output build_root -W -n --keep-going`` on a fresh ``_build``.

    Returns ``build_root/_build/html``; raises :class:`SphinxFailed` with the
    build's warnings when it fails.
    """
    from .execute import SOURCE_DATE_EPOCH  # nbclient and jupytext: only when jupyter-book runs

    build_root = Path(build_root)
    if (build_root / "_build").exists():
        shutil.rmtree(build_root / "_build")
    build_root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    env["PYTHONHASHSEED"] = "0"
    cmd = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
           "build", str(source), "--path-output", str(build_root), "--builder", "html",
           "-W", "-n", "--keep-going", "--all", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    html = build_root / "_build" / "html"
    if proc.returncode != 0 or not (html / "index.html").is_file():
        text = "\n".join(line for line in (proc.stdout + "\n" + proc.stderr).splitlines() if line.strip())
        raise SphinxFailed(f"jupyter-book build failed (exit {proc.returncode}):\n{text[-6000:]}")
    return html


def install_html(html: Path, output: Path) -> Path:
    """Replace ``output`` by the built site (only if ``output`` is empty or an earlier build)."""
    output = Path(output)
    if output.exists():
        if any(output.iterdir()) and not (output / "index.html").exists():
            raise FileExistsError(f"--output {output} exists and is not an earlier build of the book "
                                  "(no index.html); choose a new or empty folder")
        shutil.rmtree(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(html, output)
    return output
