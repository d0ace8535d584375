"""Singular and plural forms of labels, and the shipped English forms file."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mnr_graph.terminology import inflection
from mnr_graph.terminology.inflection import english_forms, english_forms_csv, label_variants


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("prostitution enfantine", "fr", "prostitutions enfantines"),
        ("exploitation sexuelle des enfants", "fr", "exploitations sexuelles des enfants"),
        ("abus sexuels sur enfants", "fr", "abus sexuel sur enfants"),
        ("turismo sexual infantil", "es", "turismos sexuales infantiles"),
        ("explotación de niños", "es", "explotaciones de niños"),
        ("sexual exploitation of children", "en", "sexual exploitations of children"),
        ("children", "en", "child"),
    ],
)
def test_label_variants_rules(text: str, lang: str, expected: str) -> None:
    assert expected in label_variants(text, lang)


def test_english_forms_file_is_current() -> None:
    """``ontology/english-forms.csv`` is what ``inflect`` gives for the shipped labels now.

    Else: ``python -m mnr_graph.terminology.inflection --write``.
    """
    assert inflection.main(["--check"]) == 0


def test_english_forms_csv_lists_each_form_and_skips_other_labels() -> None:
    labels = [("child prostitute", "en", False), ("CSAM", "en", True), ("niño", "es", False)]
    assert english_forms_csv(labels) == "label,form\nchild prostitute,child prostitutes\n"


@pytest.mark.slow
def test_shipped_vocabulary_loads_without_importing_inflect() -> None:
    """The shipped labels' forms come from the file: the slow ``inflect`` import is not made."""
    code = (
        "import sys\n"
        "from mnr_graph.terminology.vocabulary import load_vocabulary\n"
        "from mnr_graph.terminology.checker import check_text\n"
        "assert load_vocabulary().lookup('child prostitutes').matches\n"
        "assert check_text('Reports of child sex tourists rose.')\n"
        "print('inflect' in sys.modules, 'typeguard' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False", "False"]


def test_a_label_the_file_lacks_is_inflected_by_inflect_as_installed() -> None:
    """A label of one's own is inflected by ``inflect`` imported as it is.

    Its ``typeguard`` checks in place, and nothing of ``typeguard`` swapped, even for a moment.
    """
    import typeguard

    checked = typeguard.typechecked
    assert "wolf whistle" not in inflection._shipped_forms()
    assert english_forms("wolf whistle") == {"wolf whistles"}
    assert typeguard.typechecked is checked
    import inflect

    assert "check_argument_types_internal" in inflect.engine.plural_noun.__code__.co_names
