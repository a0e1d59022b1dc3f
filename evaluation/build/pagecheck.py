"""After the build: no pseudonym, national register number, identifier or small count on any page.

Two checks on every built HTML page:

* ``analysis.disclosure.check_pages``: pseudonym-like strings, national
  register numbers, forbidden strings;
* :func:`scan_tables`: the page's HTML tables for person counts under the
  disclosure threshold — the safety net behind the chapters' display guard
  (:mod:`.display_guard`), which catches what a chapter *shows*; this catches
  what reaches the page however it got there (a Markdown table, a count
  turned into text, a result's HTML). A cell is a count when
  - its column's header names a count (``n``, ``count``, ``number of …``,
    ``responses``, ``persons``, ``episodes``, ``at risk`` …), or
  - every data cell of the table is a whole number (a cross-tabulation);
  and it is small when it is a whole number ``0 < n < threshold``.
  Cells showing a suppression symbol (``[c]``, ``<10`` …) are not numbers;
  columns whose header names something else (``%``, ``mean``, ``CI``,
  ``days``, ``coders``, ``items``, ``submissions`` (files) …) are not
  counts of persons.
  Tables inside a code listing are not scanned.

A finding names the page, the table (its caption or number), the row and
the column, never the count itself (the build log must not become the leak).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["check_built_pages", "scan_tables", "SmallCount", "SmallCountError", "COUNT_HEADER"]

#: A column header that names a count of persons (or of their records).
COUNT_HEADER = re.compile(
    r"^(n|n[ _].*|.*[ _]n|count|counts|number|number of .*|frequency|.*persons?|people|respondents?|responses|"
    r"episodes|participants|non-participants|detainees|staff|peer workers|interviewed|interviews|events|"
    r"at risk|.*at risk|released|releases|cases|.*count|"
    # the Dutch and French editions' headers
    r"aantal|aantal .*|nombre|nombre de .*|personen|personnes|deelnemers|niet-deelnemers|non-participants|"
    r"gedetineerden|d[ée]tenus|personeel|personnel|ervaringsdeskundigen|pairs aidants|respondenten|r[ée]pondants|"
    r"gebeurtenissen|[ée]v[ée]nements|episodes|[ée]pisodes|.*at risk)$", re.IGNORECASE)
#: A column header that names something other than persons (never read as a count of persons).
NOT_PERSONS = re.compile(
    r"%|percent|share|proportion|rate|\bci\b|interval|mean|median|average|\bsd\b|coders?\b|items?\b|"
    r"\bdf\b|days?\b|years?\b|months?\b|waves?\b|version|rank|score|code|submissions?\b|files?\b|"
    # the same words in the Dutch and French editions' headers (analysis/labels.yaml)
    r"procent|aandeel|\bpart\b|proportie|percentage|\btaux\b|\bbi\b|\bic\b|intervall?e?|gemiddeld|moyen|mediaan|"
    r"m[ée]diane?|codeurs?\b|vragen|questions|dagen|jours?\b|jaren|\bans?\b|ann[ée]es?|maanden|\bmois\b|"
    r"metingen|meting\b|vagues?\b|versie|\brang\b|inzendingen|envois|bestanden|fichiers",
    re.IGNORECASE)
_INT = re.compile(r"^[+]?[1-9]\d{0,2}(?:[ ,.\u202f\u00a0]\d{3})+$|^[+]?\d+$")


@dataclass(frozen=True)
class SmallCount:
    """A count under the threshold in a built table (the count itself is not kept)."""

    page: str
    table: str
    row: str
    column: str

    def __str__(self) -> str:
        return f"{self.page}: table {self.table!r}, row {self.row!r}, column {self.column!r}: a count under the threshold"


class SmallCountError(RuntimeError):
    """Built pages show person counts under the disclosure threshold."""

    def __init__(self, findings: list[SmallCount], threshold: int):
        self.findings = findings
        listed = "\n".join(f"  {f}" for f in findings[:40])
        more = f"\n  … and {len(findings) - 40} more" if len(findings) > 40 else ""
        super().__init__(
            f"{len(findings)} table cell(s) show fewer than {threshold} persons without disclosure control:\n"
            f"{listed}{more}\nPass these tables through analysis.disclosure.protect_table before showing them.")


def _number(text: str) -> int | None:
    text = text.strip()
    if not _INT.match(text):
        return None
    return int(re.sub(r"\D", "", text))


def _text(cell) -> str:
    return " ".join(cell.get_text(" ", strip=True).split())


def _rows(table):
    """Header and body rows as lists of (is_header, text, 1), spans expanded.

    A cell with ``colspan`` is repeated over the columns it spans and one with
    ``rowspan`` (a pandas Styler's grouped row labels) over the rows below it,
    so every cell lines up with its column header.
    """
    out, carried = [], {}  # carried: column -> [rows left, (is_th, text)]
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [c for c in tr.find_all(["th", "td"]) if c.find_parent("tr") is tr]
        row, col = [], 0
        queue = list(cells)
        while queue or any(k >= col for k in carried):
            if col in carried:
                left, cell = carried[col]
                row.append(cell)
                if left <= 1:
                    del carried[col]
                else:
                    carried[col][0] = left - 1
                col += 1
                continue
            if not queue:
                break
            c = queue.pop(0)
            cell = (c.name == "th", _text(c))
            span = max(1, int(c.get("colspan", 1) or 1))
            down = max(1, int(c.get("rowspan", 1) or 1))
            for k in range(span):
                row.append(cell)
                if down > 1:
                    carried[col + k] = [down - 1, cell]
                col += 1
        out.append((tr.find_parent("thead") is not None, [(is_th, text, 1) for is_th, text in row]))
    return out


def _expand(cells):
    """The row's (is_header, text) pairs (spans were expanded by :func:`_rows`)."""
    return [(is_th, text) for is_th, text, _ in cells]


def scan_tables(html: str, *, threshold: int, page: str = "page") -> list[SmallCount]:
    """Small person counts in the HTML tables of one page (see the module docstring)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    findings = []
    for t_no, table in enumerate(soup.find_all("table"), start=1):
        if table.find_parent(["pre", "code"]) or table.find_parent(class_="highlight"):
            continue
        caption = table.find("caption")
        name = _text(caption)[:80] if caption else f"table {t_no}"
        rows = _rows(table)
        head = [_expand(cells) for in_head, cells in rows if in_head]
        body = [_expand(cells) for in_head, cells in rows if not in_head and cells]
        if not head and body and all(is_th for is_th, _ in body[0]):
            head, body = [body[0]], body[1:]
        if not body:
            continue
        width = max(len(r) for r in body)
        labels = [" / ".join(h[j][1] for h in head if j < len(h) and h[j][1]) for j in range(width)]
        count_cols = set()
        for j in range(width):
            parts = [h[j][1] for h in head if j < len(h) and h[j][1]]
            if any(NOT_PERSONS.search(p) for p in parts):
                continue
            if any(COUNT_HEADER.match(p) for p in parts):
                count_cols.add(j)
        data = [(i, j, text) for i, r in enumerate(body) for j, (is_th, text) in enumerate(r) if not is_th]
        filled = [(i, j, text) for i, j, text in data if text]
        if len(filled) >= 2 and all(_number(text) is not None for _, _, text in filled):
            # a cross-tabulation: every cell a whole number
            count_cols.update(j for _, j, _ in filled
                              if not any(NOT_PERSONS.search(h[j][1]) for h in head if j < len(h)))
        for i, j, text in data:
            if j not in count_cols:
                continue
            value = _number(text)
            if value is not None and 0 < value < threshold:
                row_label = next((t for is_th, t in body[i] if is_th and t), f"row {i + 1}")
                findings.append(SmallCount(page, name, row_label, labels[j] if j < len(labels) else f"column {j + 1}"))
    return findings


def check_built_pages(html_dir: Path, *, forbidden: Iterable[str] = (), threshold: int | None = None) -> int:
    """Check every HTML page (see the module docstring); return how many were checked.

    Raises ``analysis.disclosure.PageCheckError`` (listing every finding,
    redacted) when a page contains a pseudonym-like string or a forbidden
    one, and :class:`SmallCountError` when a table shows a count under
    ``threshold`` (default: the disclosure policy's default threshold).
    """
    # The one place where ``evaluation`` uses ``analysis``: the build joins the
    # two (it publishes what the chapters computed), and the page check is the
    # disclosure rule the build enforces. Imported here, inside the function,
    # so that importing ``evaluation`` never imports ``analysis``.
    from analysis.disclosure import DEFAULT_POLICY, check_pages

    html_dir = Path(html_dir)
    pages = sorted(html_dir.rglob("*.html"))
    if not pages:
        raise FileNotFoundError(f"no HTML pages under {html_dir}; build the book first")
    n = check_pages(pages, forbidden=list(forbidden))
    limit = int(threshold if threshold is not None else DEFAULT_POLICY.threshold)
    findings: list[SmallCount] = []
    for p in pages:
        rel = p.relative_to(html_dir).as_posix()
        if rel.startswith("_"):
            continue  # Sphinx's own pages (_modules, _sources) hold no tables of ours
        findings.extend(scan_tables(p.read_text(encoding="utf-8", errors="replace"), threshold=limit, page=rel))
    if findings:
        raise SmallCountError(findings, limit)
    return n
