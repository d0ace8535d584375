"""The ontology page's class and property tables and its diagram, made from the shipped ontology.

Run by mkdocs-gen-files at every build: it reads every ``ontology/*.ttl`` file (through
``mnr_graph.core.resources``, as the package does), lists the classes and properties of the
``mnr:`` namespace with what each file says of them, and draws the classes with the object
properties between them as an SVG laid out by grandalf (a layered, Sugiyama-style layout). Nothing
here restates the ontology: a class or property added to a Turtle file shows up at the next build,
and the SVG is text drawn by this module, so the page fetches nothing to show it.

In ``docs/ontology.md`` the lines ``<!-- generated: diagrams -->``, ``<!-- generated: classes -->``
and ``<!-- generated: properties -->`` become a diagram per ontology file (written beside the page
as ``ontology-diagrams/<file>.svg``) and the two tables.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib import Graph as RDFGraph
from rdflib.collection import Collection
from rdflib.term import Node

from mnr_graph.core import resources
from mnr_graph.core.namespaces import MNR

PAGE = "ontology.md"
DIAGRAMS = "ontology-diagrams"
MARKERS = (
    "<!-- generated: diagrams -->",
    "<!-- generated: classes -->",
    "<!-- generated: properties -->",
)
KINDS = {
    OWL.ObjectProperty: "object",
    OWL.DatatypeProperty: "datatype",
    OWL.AnnotationProperty: "annotation",
}
CHARACTERISTICS = {
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.SymmetricProperty: "symmetric",
    OWL.TransitiveProperty: "transitive",
}


@dataclass(frozen=True)
class Term:
    """A class or property of the ``mnr:`` namespace, as the ontology files state it."""

    curie: str
    label: str
    definition: str
    file: str
    kind: str = "class"
    domain: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    characteristics: tuple[str, ...] = ()
    inverse: str = ""


@dataclass(frozen=True)
class Model:
    """Every ``mnr:`` class and property, sorted by name, and the file each is declared in."""

    classes: tuple[Term, ...]
    properties: tuple[Term, ...]
    files: tuple[str, ...] = field(default=())


def _curie(graph: RDFGraph, node: Node) -> str:
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node)
    return str(node)


def _classes_of(graph: RDFGraph, node: Node) -> tuple[str, ...]:
    """A named class, or the members of an ``owl:unionOf`` (the only class expression used)."""
    if isinstance(node, URIRef):
        return (_curie(graph, node),)
    union = graph.value(node, OWL.unionOf)
    if union is not None:
        return tuple(_curie(graph, member) for member in Collection(graph, union))
    return ()


def _text(graph: RDFGraph, subject: Node, *predicates: URIRef) -> str:
    for predicate in predicates:
        english = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
        english.sort(key=lambda o: (o.language not in (None, "en"), str(o)))
        if english:
            return " ".join(str(english[0]).split())
    return ""


def load_model(paths: Iterable[Path] | None = None) -> Model:
    """Read ontology files (by default every shipped ``ontology/*.ttl``) into a :class:`Model`."""
    files = list(paths) if paths is not None else resources.files("ontology", "*.ttl")
    graph = RDFGraph()
    declared: dict[URIRef, tuple[URIRef, str]] = {}  # term -> (its rdf:type, the file)
    for path in files:
        one = RDFGraph().parse(path, format="turtle")
        for prefix, namespace in one.namespaces():
            graph.bind(prefix, namespace, override=False)
        for kind in (OWL.Class, *KINDS):
            for term in one.subjects(RDF.type, kind):
                if isinstance(term, URIRef) and str(term).startswith(str(MNR)):
                    declared.setdefault(term, (kind, path.name))
        graph += one
    classes: list[Term] = []
    properties: list[Term] = []
    for term, (kind, file) in declared.items():
        curie = _curie(graph, term)
        label = _text(graph, term, RDFS.label, SKOS.prefLabel)
        definition = _text(graph, term, SKOS.definition, RDFS.comment)
        if kind == OWL.Class:
            parents = tuple(
                sorted(
                    _curie(graph, p)
                    for p in graph.objects(term, RDFS.subClassOf)
                    if isinstance(p, URIRef)
                )
            )
            classes.append(Term(curie, label, definition, file, parents=parents))
            continue
        inverse = graph.value(term, OWL.inverseOf) or graph.value(None, OWL.inverseOf, term)
        properties.append(
            Term(
                curie,
                label,
                definition,
                file,
                kind=KINDS[kind],
                domain=tuple(
                    c for d in graph.objects(term, RDFS.domain) for c in _classes_of(graph, d)
                ),
                range=tuple(
                    c for r in graph.objects(term, RDFS.range) for c in _classes_of(graph, r)
                ),
                parents=tuple(
                    sorted(_curie(graph, p) for p in graph.objects(term, RDFS.subPropertyOf))
                ),
                characteristics=tuple(
                    sorted(
                        name
                        for rdf_type, name in CHARACTERISTICS.items()
                        if (term, RDF.type, rdf_type) in graph
                    )
                ),
                inverse=_curie(graph, inverse) if inverse is not None else "",
            )
        )
    return Model(
        tuple(sorted(classes, key=lambda t: t.curie.lower())),
        tuple(
            sorted(properties, key=lambda t: (list(KINDS.values()).index(t.kind), t.curie.lower()))
        ),
        tuple(path.name for path in files),
    )


# --- tables -------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _codes(curies: Sequence[str]) -> str:
    return " ∪ ".join(f"`{c}`" for c in curies) if curies else ""


def classes_table(model: Model) -> str:
    """The Markdown table of the classes."""
    rows = ["| class | label | definition | subclass of | file |", "|---|---|---|---|---|"]
    for term in model.classes:
        rows.append(
            f"| `{term.curie}` | {_cell(term.label)} | {_cell(term.definition)} | "
            f"{', '.join(f'`{p}`' for p in term.parents)} | `{term.file}` |"
        )
    return "\n".join(rows)


def properties_table(model: Model) -> str:
    """The Markdown table of the properties (object, then datatype, then annotation)."""
    rows = [
        "| property | kind | domain | range | definition | file |",
        "|---|---|---|---|---|---|",
    ]
    for term in model.properties:
        notes = [*term.characteristics]
        if term.inverse:
            notes.append(f"inverse of `{term.inverse}`")
        notes += [f"sub-property of `{p}`" for p in term.parents]
        kind = term.kind + (f" ({'; '.join(notes)})" if notes else "")
        rows.append(
            f"| `{term.curie}` | {kind} | {_codes(term.domain)} | {_codes(term.range)} | "
            f"{_cell(term.definition)} | `{term.file}` |"
        )
    return "\n".join(rows)


def diagram_path(file: str) -> str:
    """Where the diagram of an ontology file is written in the site, beside the page."""
    return f"{DIAGRAMS}/{Path(file).stem}.svg"


def diagrams_markdown(model: Model) -> str:
    """A heading and an image (linked to itself, to see it full size) per diagram."""
    parts = []
    for file in diagram_files(model):
        path = diagram_path(file)
        parts.append(
            f"**`ontology/{file}`**\n\n"
            f"[![The classes and object properties of {file}]({path})]({path})"
        )
    return "\n\n".join(parts)


def fill_page(markdown: str, model: Model) -> str:
    """The page with each marker line replaced by what it stands for; a missing one is an error."""
    made = (diagrams_markdown(model), classes_table(model), properties_table(model))
    for marker, text in zip(MARKERS, made, strict=True):
        if marker not in markdown:
            raise ValueError(f"{PAGE} has no line {marker!r} for what is generated there")
        markdown = markdown.replace(marker, text)
    return markdown


# --- the diagram --------------------------------------------------------------------------------

FONT = 12
CHAR = 7.3  # the width of one character of the monospace font at FONT px
PAD_X, PAD_Y = 10, 7
PALETTE = {  # fill, stroke per file; other namespaces' classes are grey
    "mnr-ontology.ttl": ("#e3f0fb", "#2f6fa8"),
    "mnr-submission.ttl": ("#e5f4e3", "#3b8a34"),
    "terminology.ttl": ("#fcefdc", "#b26b12"),
}
OTHER = ("#f1f1f1", "#7a7a7a")


class _Box:
    """What grandalf needs of a vertex: its size; it sets ``xy``, the centre."""

    def __init__(self, text: str, *, label: bool) -> None:
        self.text = text
        self.label = label
        self.w = len(text) * CHAR + (4 if label else 2 * PAD_X)
        self.h = FONT + (4 if label else 2 * PAD_Y)
        self.xy: tuple[float, float] = (0.0, 0.0)


class _Route:
    """What grandalf needs of an edge: somewhere to put the points of its route."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = list(points)


@dataclass(frozen=True)
class Link:
    """A line of the diagram: ``head`` is drawn with an arrow; ``kind`` is a CSS class."""

    tail: str
    head: str
    kind: str


def diagram_graph(model: Model, file: str) -> tuple[dict[str, str], list[Link]]:
    """The nodes (id -> text) and links of the diagram of one ontology file.

    A class is a node; an object property declared in the file is a node of its own, its label,
    between its domain and its range, so the layout keeps labels apart. A property whose inverse is
    drawn is left out, and so is one without a domain or range. ``rdfs:subClassOf`` of a class
    declared in the file is a direct link. Classes of other files and vocabularies that these
    reach are drawn too.
    """
    nodes: dict[str, str] = {c.curie: c.curie for c in model.classes if c.file == file}
    links: list[Link] = []
    drawn: set[str] = set()
    for prop in model.properties:
        if prop.file != file or prop.kind != "object" or not prop.domain or not prop.range:
            continue
        if prop.inverse in drawn:
            continue
        drawn.add(prop.curie)
        node = f"property {prop.curie}"
        nodes[node] = prop.curie
        for curie in (*prop.domain, *prop.range):
            nodes.setdefault(curie, curie)
        kind = "loop" if set(prop.domain) == set(prop.range) else ""
        links += [Link(d, node, kind or "domain") for d in prop.domain]
        links += [Link(node, r, kind or "range") for r in prop.range]
    for term in model.classes:
        if term.file != file:
            continue
        for parent in term.parents:
            nodes.setdefault(parent, parent)
            links.append(Link(term.curie, parent, "subclass"))
    return nodes, links


def diagram_files(model: Model) -> list[str]:
    """The files with an ``mnr:`` class or object property, in the order read."""
    declaring = {t.file for t in model.classes} | {
        t.file for t in model.properties if t.kind == "object"
    }
    return [f for f in model.files if f in declaring]


def _layout(nodes: dict[str, str], links: list[Link]) -> tuple[dict[str, _Box], list[_Route]]:
    vertices = {node: Vertex(node) for node in nodes}
    boxes: dict[str, _Box] = {}
    for node, vertex in vertices.items():
        boxes[node] = vertex.view = _Box(nodes[node], label=node.startswith("property "))
    edges = []
    routes = []
    for link in links:
        edge = Edge(vertices[link.tail], vertices[link.head])
        edge.view = _Route()
        edges.append(edge)
        routes.append(edge.view)
    graph = Graph(list(vertices.values()), edges)
    left = 0.0
    for component in sorted(graph.C, key=lambda c: -len(c.sV)):
        layout = SugiyamaLayout(component)
        layout.xspace, layout.yspace = 24, 34
        layout.init_all()
        layout.draw(5)
        members = [boxes[v.data] for v in component.sV]
        lowest = min(b.xy[0] - b.w / 2 for b in members)
        shift = left - lowest
        for box in members:
            box.xy = (box.xy[0] + shift, box.xy[1])
        for edge in component.sE:
            edge.view.points = [(x + shift, y) for x, y in edge.view.points]
        left = max(b.xy[0] + b.w / 2 for b in members) + 40
    return boxes, routes


def _colours(model: Model, node: str) -> tuple[str, str]:
    files = {c.curie: c.file for c in model.classes}
    return PALETTE.get(files.get(node, ""), OTHER)


def _clip(box: _Box, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre toward a point leaves the box."""
    (cx, cy), (tx, ty) = box.xy, toward
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (box.w / 2) / abs(dx) if dx else float("inf"),
        (box.h / 2) / abs(dy) if dy else float("inf"),
    )
    return cx + dx * min(scale, 1.0), cy + dy * min(scale, 1.0)


def _curve(points: list[tuple[float, float]]) -> str:
    """A path bent to the left of the straight line from its first point to its last.

    A property of a class to itself is two such curves, one each way, so they do not lie on each
    other.
    """
    (x1, y1), (x2, y2) = points[0], points[-1]
    length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1.0)
    bend = 28
    cx = (x1 + x2) / 2 - (y2 - y1) / length * bend
    cy = (y1 + y2) / 2 + (x2 - x1) / length * bend
    return f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"


def diagram_svg(model: Model, file: str) -> str:
    """The SVG of one file's classes and the object properties between them."""
    nodes, links = diagram_graph(model, file)
    boxes, routes = _layout(nodes, links)
    margin, legend_h = 16, 34
    top = min(b.xy[1] - b.h / 2 for b in boxes.values())
    left = min(b.xy[0] - b.w / 2 for b in boxes.values())
    dx, dy = margin - left, margin + legend_h - top
    width = max(b.xy[0] + b.w / 2 for b in boxes.values()) + dx + margin
    height = max(b.xy[1] + b.h / 2 for b in boxes.values()) + dy + margin
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" '
        f'font-size="{FONT}">',
        "<title>The classes of the mnr-graph ontology and the object properties between them"
        "</title>",
        "<desc>Generated from the shipped ontology when the documentation is built: a box per "
        "class (coloured by the file that declares it, grey for other vocabularies), a label per "
        "object property on the line from its domain to its range, dashed lines for subclass of."
        "</desc>",
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#444"/></marker>',
        '<marker id="triangle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" '
        'markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#fff" stroke="#444"/></marker>',
        "</defs>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fff"/>',
    ]
    x = float(margin)
    shown = {_colours(model, node) for node, box in boxes.items() if not box.label}
    legend = [*PALETTE.items(), ("other vocabularies", OTHER)]
    for name, (fill, stroke) in [(n, c) for n, c in legend if c in shown]:
        out.append(
            f'<rect x="{x:.0f}" y="{margin}" width="14" height="14" fill="{fill}" '
            f'stroke="{stroke}"/><text x="{x + 20:.0f}" y="{margin + 11}">{html.escape(name)}'
            "</text>"
        )
        x += 20 + len(name) * CHAR + 24
    for link, route in zip(links, routes, strict=True):
        tail, head = boxes[link.tail], boxes[link.head]
        points = route.points if len(route.points) >= 2 else [tail.xy, head.xy]
        points = [_clip(tail, points[1]), *points[1:-1], _clip(head, points[-2])]
        points = [(px + dx, py + dy) for px, py in points]
        if link.kind == "loop":
            end = ' marker-end="url(#arrow)"' if head.label is False else ""
            out.append(f'<path class="loop" d="{_curve(points)}" fill="none" stroke="#444"{end}/>')
            continue
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        style = {
            "domain": 'stroke="#444"',
            "range": 'stroke="#444" marker-end="url(#arrow)"',
            "subclass": 'stroke="#444" stroke-dasharray="5,4" marker-end="url(#triangle)"',
        }[link.kind]
        out.append(f'<polyline class="{link.kind}" points="{path}" fill="none" {style}/>')
    for node, box in sorted(boxes.items()):
        cx, cy = box.xy[0] + dx, box.xy[1] + dy
        x0, y0 = cx - box.w / 2, cy - box.h / 2
        text = html.escape(box.text)
        if box.label:
            out.append(
                f'<g class="property"><rect x="{x0:.1f}" y="{y0:.1f}" width="{box.w:.1f}" '
                f'height="{box.h:.1f}" fill="#fff"/><text x="{cx:.1f}" y="{cy + FONT / 2 - 2:.1f}" '
                f'text-anchor="middle" font-style="italic" fill="#333">{text}</text></g>'
            )
        else:
            fill, stroke = _colours(model, node)
            out.append(
                f'<g class="class"><rect x="{x0:.1f}" y="{y0:.1f}" width="{box.w:.1f}" '
                f'height="{box.h:.1f}" rx="4" fill="{fill}" stroke="{stroke}"/>'
                f'<text x="{cx:.1f}" y="{cy + FONT / 2 - 2:.1f}" text-anchor="middle">{text}'
                "</text></g>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_pages() -> None:
    """Fill the ontology page's tables and write the diagram into the build (not ``docs/``)."""
    import mkdocs_gen_files

    model = load_model()
    with mkdocs_gen_files.open(PAGE, "r") as page:
        markdown = page.read()
    with mkdocs_gen_files.open(PAGE, "w") as page:
        page.write(fill_page(markdown, model))
    for file in diagram_files(model):
        with mkdocs_gen_files.open(diagram_path(file), "w") as svg:
            svg.write(diagram_svg(model, file))


if __name__ == "<run_path>":  # run by mkdocs-gen-files
    write_pages()
