"""Retired sources (source_rules.yaml ``retired``): kb check names the replacement of a retired id
a record still cites, keeps retired ids out of sources.yaml, and repoint() rewrites citations
of retired ids in a file's text (for merges of branches older than the retirement)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from kb_fixtures import broken_in_memory

from mbcnav.knowledge.loader import default_data_dir, read_records
from mbcnav.knowledge.retire import repoint

RETIRED = {
    "old_summary": ["src:new_guideline", "src:new_trial"],
    "old_news": ["src:new_label"],
    "gone": [],
}


def _problems(edits: list[dict[str, object]], code: str) -> list[tuple[str, str, str]]:
    found = broken_in_memory(edits).problems
    return [(p.record, p.field, p.message) for p in found if p.code == code]


def _retire(record: dict[str, object]) -> dict[str, object]:
    return {"file": "source_rules.yaml", "append": {"key": "retired", "records": [record]}}


def test_a_record_citing_a_retired_source_is_told_what_replaces_it() -> None:
    records, _ = read_records(default_data_dir())
    rules = records.source_rules
    assert rules is not None and rules.retired
    gone = next(r for r in rules.retired if r.replaced_by)
    cite = {
        "file": "routes.yaml",
        "set": {"path": ["routes", 0, "sources"], "value": [gone.id]},
    }
    found = _problems([cite], "MBC-E205")
    assert len(found) == 1
    _, field, message = found[0]
    assert field == "sources" and gone.id in message and "retired" in message
    assert all(replacement in message for replacement in gone.replaced_by)


def test_an_unknown_source_that_was_never_retired_keeps_the_plain_message() -> None:
    cite = {
        "file": "routes.yaml",
        "set": {"path": ["routes", 0, "sources"], "value": ["src:never_existed"]},
    }
    [(_, _, message)] = _problems([cite], "MBC-E205")
    assert message == "The source src:never_existed is not listed in sources.yaml"


def test_a_retired_source_still_listed_in_sources_fails() -> None:
    records, _ = read_records(default_data_dir())
    listed = records.sources[0].id
    found = _problems([_retire({"id": listed, "replaced_by": [], "reason": "test"})], "MBC-E211")
    assert [(record, field) for record, field, _ in found] == [(listed, "retired")]


def test_a_replacement_missing_from_sources_fails() -> None:
    edit = _retire({"id": "src:old_x", "replaced_by": ["src:not_listed"], "reason": "test"})
    found = _problems([edit], "MBC-E211")
    assert [(r, f) for r, f, _ in found] == [("src:old_x", "retired.replaced_by")]
    assert "src:not_listed" in found[0][2]


def test_no_packaged_record_cites_a_retired_source() -> None:
    """The packaged data are already re-pointed: repoint() changes no packaged file."""
    records, _ = read_records(default_data_dir())
    assert records.source_rules is not None
    retired = {r.id.removeprefix("src:"): list(r.replaced_by) for r in records.source_rules.retired}
    for path in sorted(default_data_dir().glob("*.yaml")):
        if path.name not in {"sources.yaml", "source_rules.yaml", "meta.yaml"}:
            text = path.read_text(encoding="utf-8")
            assert repoint(text, retired) == text, path.name


def test_repoint_rewrites_flow_lists_and_nearest_source() -> None:
    text = (
        "- {head: x, sources: [src:old_summary, src:keep]}\n"
        "  sources: ['src:keep', 'src:old_news']\n"
        "  sources: [src:a, src:old_summary,\n"
        "            src:new_trial]\n"
        "    nearest_source: src:old_summary\n"
        "  regions: [eye, vision]\n"
    )
    out = repoint(text, RETIRED)
    assert "[src:new_guideline, src:new_trial, src:keep]" in out
    assert "['src:keep', 'src:new_label']" in out
    assert "[src:a, src:new_guideline, src:new_trial]" in out
    assert "nearest_source: src:new_guideline" in out
    assert "regions: [eye, vision]" in out


def test_a_retired_id_with_no_replacement_is_left_for_a_person() -> None:
    text = "  sources: [src:gone]\n    nearest_source: src:gone\n"
    assert repoint(text, RETIRED) == text


_IDS = st.sampled_from(
    ["src:old_summary", "src:old_news", "src:gone", "src:keep", "src:other", "src:new_trial"]
)


@given(st.lists(st.lists(_IDS, min_size=1, max_size=5), min_size=1, max_size=4), st.booleans())
def test_repoint_is_idempotent_and_leaves_no_replaceable_id(
    lists: list[list[str]], quoted: bool
) -> None:
    quote = "'" if quoted else ""
    text = "".join(
        "  sources: [" + ", ".join(f"{quote}{i}{quote}" for i in ids) + "]\n" for ids in lists
    )
    once = repoint(text, RETIRED)
    assert repoint(once, RETIRED) == once
    assert "old_summary" not in once and "old_news" not in once
    for before, after in zip(lists, once.splitlines(), strict=True):
        items = [item.strip(" '") for item in after.split("[", 1)[1].rstrip("]").split(",")]
        if {"src:old_summary", "src:old_news"} & set(before):
            assert len(items) == len(set(items))
        else:
            assert items == before


@given(st.text(alphabet=st.characters(blacklist_characters="[]"), max_size=200))
def test_text_without_a_list_or_nearest_source_is_unchanged(text: str) -> None:
    if "nearest_source" not in text:
        assert repoint(text, RETIRED) == text
