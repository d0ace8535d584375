"""What changed between two versions of a country's submission, capability by capability.

:func:`diff_submissions` compares the assessments of two submission graphs (an older and a newer
version, as :func:`mnr_graph.submissions.validation.read_input` reads them or as the registry
keeps them): for each capability assessed in either, the maturity phase, the implementation
status, the evidence texts and the source documents' URLs before and after. Capabilities whose
assessment is the same in both are left out; one assessed in only one version is ``added`` or
``removed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from mnr_graph.core.namespaces import MNR, SKOS

__all__ = ["CapabilityChange", "diff_submissions"]

#: The aspects of an assessment compared, by name.
ASPECTS = ("phase", "status", "evidence", "sources")


@dataclass(frozen=True)
class CapabilityChange:
    """How one capability's assessment changed: each aspect before and after (changed ones)."""

    capability: str
    notation: str
    kind: str  # "added", "removed" or "changed"
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> list[str]:
        """The aspects that differ."""
        return [a for a in ASPECTS if self.before.get(a) != self.after.get(a)]

    def to_json(self) -> dict[str, Any]:
        """The change as JSON: the capability, the kind, and each changed aspect's values."""
        return {
            "capability": self.capability,
            "notation": self.notation,
            "kind": self.kind,
            "changes": {
                a: {"before": self.before.get(a), "after": self.after.get(a)} for a in self.changed
            },
        }


def _notation(graph: Graph, capability: Node) -> str:
    found = graph.value(capability, SKOS.notation)
    return str(found) if found is not None else str(capability).rsplit("/", 1)[-1]


def _assessments(graph: Graph) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for assessment in graph.subjects(MNR.assessedCapability, None):
        capability = graph.value(assessment, MNR.assessedCapability)
        if capability is None:
            continue
        phase = graph.value(assessment, MNR.maturityPhase)
        status = graph.value(assessment, MNR.implementationStatus)
        sources = sorted(
            str(url)
            for document in graph.objects(assessment, MNR.hasSourceDocument)
            for url in graph.objects(document, MNR.url)
        )
        out[str(capability)] = {
            "phase": str(phase).rsplit("/", 1)[-1] if phase is not None else None,
            "status": str(status).rsplit("/", 1)[-1] if status is not None else None,
            "evidence": sorted(str(e) for e in graph.objects(assessment, MNR.evidence)),
            "sources": sources,
            "notation": _notation(graph, capability),
        }
    return out


def diff_submissions(older: Graph, newer: Graph) -> list[CapabilityChange]:
    """The capabilities whose assessment differs between ``older`` and ``newer``, in order."""
    before, after = _assessments(older), _assessments(newer)
    changes: list[CapabilityChange] = []
    for capability in sorted(set(before) | set(after)):
        old, new = before.get(capability), after.get(capability)
        notation = (new or old or {}).get("notation", capability)
        old_aspects = {a: old[a] for a in ASPECTS} if old else {}
        new_aspects = {a: new[a] for a in ASPECTS} if new else {}
        if old is None:
            changes.append(CapabilityChange(capability, notation, "added", {}, new_aspects))
        elif new is None:
            changes.append(CapabilityChange(capability, notation, "removed", old_aspects, {}))
        elif old_aspects != new_aspects:
            changes.append(
                CapabilityChange(capability, notation, "changed", old_aspects, new_aspects)
            )
    return sorted(changes, key=lambda c: c.notation)
