"""The illustrative dataset is deterministic, uses user-assigned codes only, and validates."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnr_graph.cli import main
from mnr_graph.core.errors import InputError
from mnr_graph.framework.countries import user_assigned_alpha3_codes, user_assigned_codes
from mnr_graph.submissions.generate import country_codes, dataset_turtle
from mnr_graph.submissions.validation import validate_bytes


@pytest.mark.slow
def test_same_seed_same_text_other_seed_other_text() -> None:
    one = dataset_turtle(countries=2, years=2, seed=5)
    assert one == dataset_turtle(countries=2, years=2, seed=5)
    assert one != dataset_turtle(countries=2, years=2, seed=6)


def test_enough_user_assigned_codes_for_195_countries() -> None:
    codes = country_codes(195)
    assert len(set(codes)) == 195
    allowed = set(user_assigned_codes()) | set(user_assigned_alpha3_codes())
    assert set(codes) <= allowed


def test_out_of_range_is_an_input_error() -> None:
    with pytest.raises(InputError):
        country_codes(0)


@pytest.mark.slow
def test_generated_dataset_has_no_violation() -> None:
    text = dataset_turtle(countries=3, years=2, seed=1)
    report = validate_bytes(text.encode(), filename="generated.ttl")
    assert report.conforms, report.to_text()


def test_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "data.ttl"
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--countries", "2", "--years", "1", "--seed", "3", "--output", str(out)])
    assert exit_info.value.code == 0
    assert out.read_text() == dataset_turtle(countries=2, years=1, seed=3)


@pytest.mark.slow
def test_every_generated_country_is_reachable_in_queries_and_pages(tmp_path: Path) -> None:
    """`generate --countries 40` writes XA..XZ and XAA..XAN.

    Every one (14 were a 400) answers in the named queries and has its page, and the list of
    countries names all 40.
    """
    import warnings

    from mnr_graph.core.settings import Settings
    from mnr_graph.web import app as api

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient

    data = tmp_path / "countries.ttl"
    data.write_text(dataset_turtle(countries=40, years=1), encoding="utf-8")
    codes = country_codes(40)
    assert codes[-1] == "XAN"
    with TestClient(api.get_fastapi_app(Settings(data_files=(data,)))) as client:
        for code in codes:
            rows = client.get("/queries/country-profile", params={"country": code})
            assert rows.status_code == 200, (code, rows.text)
            assert len(rows.json()["rows"]) == 21, code
            page = client.get(f"/data/country/{code}", headers={"Accept": "text/html"})
            assert page.status_code == 200, code
        averages = client.get("/queries/average-phase-by-domain").json()["rows"]
        assert {r["countryCode"] for r in averages} == set(codes)
