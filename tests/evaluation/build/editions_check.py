"""Helpers of the editions tests: the numbers a page shows, read back the way its language writes them."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

from babel.numbers import get_decimal_symbol, get_group_symbol, parse_decimal
from bs4 import BeautifulSoup

from analysis.editions import LOCALES

#: where the kernel's values land on a page: cell outputs and glued values
VALUES = "div.cell_output, .pasted-text, .pasted-inline"
#: table columns of names that are not numbers in any language (versions, hashes, seeds): left out
NEUTRAL = re.compile(r"version|versie|pinned|installed|vastgelegd|geïnstalleerd|installé|\bSHA\b|\bseed\b|graine|commit",
                     re.IGNORECASE)


def _pattern(language: str) -> re.Pattern:
    loc = LOCALES[language]
    group = get_group_symbol(loc)
    groups = {group, "\u202f", "\u00a0"} if group in ("\u202f", "\u00a0", " ") else {group}
    g = "[" + "".join(re.escape(x) for x in sorted(groups)) + "]"
    d = re.escape(get_decimal_symbol(loc))
    return re.compile(rf"(?<![\w.,§])-?(?:\d{{1,3}}(?:{g}\d{{3}})+|\d+)(?:{d}\d+)?(?![\w])")


def page_numbers(page: Path, language: str, selector: str = VALUES) -> Counter:
    """The multiset of numbers in the kernel's values on ``page``, parsed with Babel for ``language``."""
    soup = BeautifulSoup(Path(page).read_text(encoding="utf-8"), "lxml")
    article = soup.find("article") or soup
    for tag in article(["script", "style"]):
        tag.decompose()
    for table in article.find_all("table"):
        head = table.find("thead")
        head_rows = head.find_all("tr") if head is not None else table.find_all("tr")[:1]
        skip = {i for tr in head_rows for i, th in enumerate(tr.find_all(["th", "td"], recursive=False))
                if NEUTRAL.search(th.get_text(" ", strip=True))}
        for tr in table.find_all("tr"):
            for i, cell in enumerate(tr.find_all(["td", "th"], recursive=False)):
                if i in skip:
                    cell.decompose()
    pattern = _pattern(language)
    numbers: Counter = Counter()
    for el in article.select(selector):
        if el.find_parent(class_="cell_output") is not None and "cell_output" not in (el.get("class") or []):
            continue  # counted with its output
        for token in pattern.findall(el.get_text(" ")):
            numbers[Decimal(parse_decimal(token, locale=LOCALES[language]))] += 1
    return numbers
