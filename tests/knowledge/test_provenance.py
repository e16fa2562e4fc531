"""Provenance (MBC-E211): a source names its publisher and kind, and no source is served from a
domain on the deny-list in source_rules.yaml; scripts/source_report.py counts the result."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kb_fixtures import broken_in_memory

from mbcnav.knowledge.checks.provenance import host_of, on_domain
from mbcnav.knowledge.loader import default_data_dir, read_records

REPO = Path(__file__).resolve().parents[2]
CLEAN = {
    "id": "src:clean_trial",
    "citation": "Robson M et al. Olaparib for metastatic breast cancer. NEJM 2017;377:523",
    "publisher": "New England Journal of Medicine",
    "url": "https://pubmed.ncbi.nlm.nih.gov/28578601/",
    "doi": "10.1056/NEJMoa1706450",
    "pmid": "28578601",
    "accessed": "2026-12-07",
    "kind": "trial",
}


def _with_source(**changes: Any) -> list[tuple[str, str]]:
    """(field, message) of every MBC-E211 problem once CLEAN, changed, joins sources.yaml."""
    record = {key: value for key, value in {**CLEAN, **changes}.items() if value is not None}
    edit = {"file": "sources.yaml", "append": {"key": "sources", "records": [record]}}
    problems = broken_in_memory([edit]).problems
    return [(p.field, p.message) for p in problems if p.code == "MBC-E211"]


def test_a_clean_source_passes() -> None:
    assert _with_source() == []


def test_a_denied_domain_fails_and_names_the_reason() -> None:
    found = _with_source(url="https://www.iatrox.com/shared/some-summary")
    assert [field for field, _ in found] == ["url"]
    assert "iatrox.com" in found[0][1] and "AI summariser" in found[0][1]


def test_a_subdomain_of_a_denied_domain_fails() -> None:
    found = _with_source(url="https://pt.scribd.com/document/1")
    assert [field for field, _ in found] == ["url"]


def test_a_missing_or_blank_publisher_fails() -> None:
    assert [field for field, _ in _with_source(publisher=None)] == ["publisher"]
    assert [field for field, _ in _with_source(publisher="  ")] == ["publisher"]


def test_a_kind_from_before_1_1_0_fails() -> None:
    found = _with_source(kind="secondary")
    assert [field for field, _ in found] == ["kind"]
    assert "guideline" in found[0][1]


def test_a_lookalike_domain_is_not_denied() -> None:
    """'notiatrox.com' is not a subdomain of 'iatrox.com'."""
    assert _with_source(url="https://notiatrox.com/page") == []


def test_every_packaged_source_has_a_new_kind_and_a_publisher() -> None:
    records, problems = read_records(default_data_dir())
    assert problems == []
    assert records.source_rules is not None and records.source_rules.denied
    assert all(source.publisher and source.kind != "primary" for source in records.sources)


@given(
    sub=st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
    domain=st.from_regex(r"[a-z]{2,10}\.(com|org|ai)", fullmatch=True),
    path=st.from_regex(r"[a-z0-9/]{0,12}", fullmatch=True),
)
def test_hosts_parse_with_or_without_scheme_and_www(sub: str, domain: str, path: str) -> None:
    for url in (
        f"https://{sub}.{domain}/{path}",
        f"http://www.{domain}/{path}",
        f"{domain}/{path}",
    ):
        assert on_domain(host_of(url), domain)
    assert not on_domain(host_of(f"https://{sub}{domain}/{path}"), domain)
    assert host_of(None) == "" and host_of("") == ""


def _report_script() -> ModuleType:
    path = REPO / "scripts" / "source_report.py"
    spec = importlib.util.spec_from_file_location("source_report", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_report_counts_kinds_denied_sources_and_the_authoritative_share(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _report_script().main(["--list"]) == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    records, _ = read_records(default_data_dir())
    assert lines["sources"] == str(len(records.sources))
    assert lines["from denied (SEO / AI-summary / mirror) domains"] == "0"
    kinds = dict(part.rsplit(" ", 1) for part in lines["by kind"].split(", "))
    assert sum(int(n) for n in kinds.values()) == len(records.sources)
    share = lines["DOI, PMID or authoritative page"]
    good = int(share.split("/", 1)[0])
    assert len(lines["not authoritative"].split()) == len(records.sources) - good


def test_at_least_95_percent_of_sources_carry_an_identifier_or_an_authoritative_page() -> None:
    """The issue-12 floor: a source a clinician cannot trace (no DOI or PMID, not on a guideline
    body, regulator, label or journal page) is the exception, at most one in twenty."""
    report = _report_script()
    rules = report._rules()
    records, _ = read_records(default_data_dir())
    good = [source for source in records.sources if report.authoritative(source, rules)]
    assert len(good) >= 0.95 * len(records.sources), sorted(
        source.id for source in records.sources if source not in good
    )


def test_the_report_counts_an_older_folder_by_todays_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An old folder (no source_rules.yaml, legacy kinds) is still measured."""
    folder = tmp_path / "old"
    folder.mkdir()
    for file in default_data_dir().glob("*.yaml"):
        if file.name != "source_rules.yaml":
            (folder / file.name).write_bytes(file.read_bytes())
    text = (folder / "sources.yaml").read_text(encoding="utf-8")
    (folder / "sources.yaml").write_text(
        text.replace("  kind: trial\n", "  kind: primary\n"), encoding="utf-8"
    )
    assert _report_script().main(["--data", str(folder)]) == 0
    by_kind = next(line for line in capsys.readouterr().out.splitlines() if "by kind" in line)
    assert "primary" in by_kind and "trial" not in by_kind
