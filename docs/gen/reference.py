"""Write one API reference page per module of ``src/mnr_graph`` (run by mkdocs-gen-files).

The pages are made from the package tree at build time, so a module that is added, moved or
removed changes the reference with nothing kept by hand; ``reference/SUMMARY.md`` is their
navigation (mkdocs-literate-nav).
"""

from __future__ import annotations

from pathlib import Path

import mkdocs_gen_files
from mkdocs_gen_files.nav import Nav

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PACKAGE = "mnr_graph"


def modules(src: Path = SRC, package: str = PACKAGE) -> list[tuple[str, ...]]:
    """The dotted parts of every module and package under ``src/package``, sorted."""
    found: list[tuple[str, ...]] = []
    for path in sorted((src / package).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(tuple(parts))
    return found


def page_path(parts: tuple[str, ...], *, is_package: bool) -> Path:
    """The reference page of a module (``a/b.md``) or package (``a/b/index.md``)."""
    return Path(*parts, "index.md") if is_package else Path(*parts).with_suffix(".md")


def write_pages() -> None:
    """Write the pages and their navigation into the build (not into ``docs/``)."""
    nav = Nav()  # type: ignore[no-untyped-call]
    for parts in modules():
        is_package = (SRC.joinpath(*parts) / "__init__.py").is_file()
        page = page_path(parts, is_package=is_package)
        nav[parts] = page.as_posix()
        with mkdocs_gen_files.open(Path("reference", page), "w") as out:
            out.write(f"::: {'.'.join(parts)}\n")
        source = SRC.joinpath(*parts, "__init__.py") if is_package else SRC.joinpath(*parts)
        mkdocs_gen_files.set_edit_path(
            Path("reference", page), source.with_suffix(".py") if not is_package else source
        )
    with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as summary:
        summary.writelines(nav.build_literate_nav())


if __name__ == "<run_path>":  # run by mkdocs-gen-files
    write_pages()
