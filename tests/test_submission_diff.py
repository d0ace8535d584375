"""What changed between two versions of a submission (submissions.diff)."""

from __future__ import annotations

from rdflib import Graph

from mnr_graph.core import resources
from mnr_graph.submissions.diff import diff_submissions
from mnr_graph.submissions.validation import read_input

SOURCE = resources.path("examples", "XC-2024-valid.csv")


def _graph(text: str) -> Graph:
    graph, _ = read_input(text.encode("utf-8"), filename="XC-2024.csv")
    return graph


def test_the_same_submission_has_no_change() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    assert diff_submissions(_graph(text), _graph(text)) == []


def test_a_changed_phase_and_evidence_and_a_dropped_capability_are_found() -> None:
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    header, first, second, *rest = lines
    changed = first.replace(",2,partly,", ",3,partly,", 1).replace(
        "published a summary", "published a full report"
    )
    assert changed != first
    newer = "\n".join([header, changed, *rest]) + "\n"
    changes = {c.notation: c for c in diff_submissions(_graph("\n".join(lines)), _graph(newer))}
    capability = first.split(",")[2].zfill(2)
    dropped = second.split(",")[2].zfill(2)
    assert set(changes) == {f"C{capability}", f"C{dropped}"}
    phase = changes[f"C{capability}"]
    assert phase.kind == "changed"
    assert phase.changed == ["phase", "evidence"]
    assert phase.to_json()["changes"]["phase"] == {"before": "P02", "after": "P03"}
    assert changes[f"C{dropped}"].kind == "removed"
