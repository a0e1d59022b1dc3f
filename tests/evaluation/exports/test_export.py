"""export(): dispatch, file names, errors, and every instrument of the repository."""

from __future__ import annotations

import pyreadstat
import pytest
from pyxform.xls2xform import convert

from evaluation.exports import FORMATS, default_filename, export, read_embedded_ref
from evaluation.exports.csvbook import sidecar_paths
from evaluation.instruments import Catalogue

from .conftest import REPO_INSTRUMENTS, repo_refs
from .xlsform_checks import xlsform_problems


def test_formats():
    assert FORMATS == ("sav", "xlsform", "csv", "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_to_a_folder_uses_the_default_name(mini, tmp_path, fmt):
    path = export(mini, fmt, "fr", tmp_path)
    assert path == tmp_path / default_filename(mini, fmt, "fr")
    assert path.exists()
    assert read_embedded_ref(path) == "mini@1.0"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_default_filenames(mini):
    assert default_filename(mini, "sav", "nl") == "mini_1.0_nl.sav"
    assert default_filename(mini, "xlsform", "nl") == "mini_1.0_nl_xlsform.xlsx"


def test_errors_name_the_argument(mini, tmp_path):
    with pytest.raises(ValueError, match="fmt='pdf'.*sav, xlsform, csv, html"):
        export(mini, "pdf", "nl", tmp_path)
    with pytest.raises(ValueError, match="lang='de'.*nl, fr, en"):
        export(mini, "sav", "de", tmp_path)
    with pytest.raises(FileNotFoundError, match="out_path=.*create it first"):
        export(mini, "html", "nl", tmp_path / "missing" / "q.html")
    with pytest.raises(TypeError, match="parse_ref"):
        export("mini@1.0", "html", "nl", tmp_path)
    with pytest.raises(ValueError, match="path=.*'.txt'"):
        read_embedded_ref(tmp_path / "x.txt")


REFS = repo_refs()


def test_repository_has_instruments():
    """The parametrised tests below run over these; none is skipped."""
    assert REFS, "no instruments found in instruments/"


@pytest.mark.parametrize("ref", REFS)
def test_every_repository_instrument_exports(ref, tmp_path):
    definition = Catalogue(REPO_INSTRUMENTS).parse_ref(ref)
    for lang in definition.meta.languages:
        for fmt in FORMATS:
            path = export(definition, fmt, lang, tmp_path)
            assert read_embedded_ref(path) == ref, (fmt, lang)
    lang = definition.meta.languages[0]
    df, meta = pyreadstat.read_sav(str(tmp_path / default_filename(definition, "sav", lang)))
    assert list(df.columns) == definition.columns() and len(df) == 0
    assert all(meta.column_names_to_labels[c] for c in definition.columns())
    xlsform = tmp_path / default_filename(definition, "xlsform", lang)
    assert xlsform_problems(xlsform, list(definition.meta.languages)) == []
    warnings: list[str] = []
    convert(str(xlsform), warnings=warnings)
    assert warnings == []
    codebook = sidecar_paths(tmp_path / default_filename(definition, "csv", lang))["csv"]
    assert codebook.exists()
