"""rdflib's warning about ill-typed literals.

Dropped where validation expects them, only there, and without touching any logger's level (the API
validates on several worker threads at once).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import XSD, Literal

from mnr_graph.submissions.literals import ill_typed_literals_expected
from mnr_graph.submissions.validation import validate_bytes

EXAMPLE = Path(__file__).parents[1] / "examples" / "XC-2024-valid.csv"
#: The example with an impossible date: an ill-typed xsd:date literal, which S31 reports.
ILL_TYPED_CSV = EXAMPLE.read_bytes().replace(b"2024-02-15", b"2023-02-30", 1)


def _ill_typed() -> Literal:
    return Literal("2023-02-30", datatype=XSD.date)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "rdflib.term"]


def _levels() -> dict[str, int]:
    return {name: logging.getLogger(name).level for name in ("rdflib", "rdflib.term")}


def test_the_warning_is_dropped_inside_and_kept_outside(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        with ill_typed_literals_expected():
            assert _ill_typed().ill_typed
        assert _warnings(caplog) == []
        _ill_typed()
        assert len(_warnings(caplog)) == 1


def test_another_thread_still_gets_the_warning(caplog: pytest.LogCaptureFixture) -> None:
    """One thread expecting ill-typed literals silences nothing for the others."""
    inside, done = threading.Event(), threading.Event()

    def validating() -> None:
        with ill_typed_literals_expected():
            inside.set()
            done.wait(10)

    worker = threading.Thread(target=validating)
    with caplog.at_level(logging.WARNING):
        worker.start()
        assert inside.wait(10)
        _ill_typed()
        done.set()
        worker.join()
    assert len(_warnings(caplog)) == 1


def test_overlapping_calls_leave_the_levels_as_they_were() -> None:
    """Two threads' blocks overlapping (A in, B in, A out, B out).

    Once that left the logger's level at CRITICAL, silenced for the rest of the process.
    """
    before = _levels()
    steps = [threading.Event() for _ in range(3)]

    def first() -> None:
        with ill_typed_literals_expected():
            steps[0].set()
            steps[1].wait(10)
        steps[2].set()

    def second() -> None:
        steps[0].wait(10)
        with ill_typed_literals_expected():
            steps[1].set()
            steps[2].wait(10)
            assert _levels() == before

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _levels() == before
    assert logging.getLogger("rdflib.term").isEnabledFor(logging.WARNING)


@pytest.mark.slow
def test_concurrent_validations_report_the_date_and_change_no_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = _levels()
    with caplog.at_level(logging.WARNING), ThreadPoolExecutor(4) as pool:
        reports = list(
            pool.map(lambda _: validate_bytes(ILL_TYPED_CSV, filename="x.csv"), range(8))
        )
    assert all(any(r.value == "2023-02-30" for r in report.results) for report in reports)
    assert _warnings(caplog) == []
    assert _levels() == before
