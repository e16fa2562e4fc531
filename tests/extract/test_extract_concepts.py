"""The concept reader: a complaint word and a body part in one clause read as one finding.

The machinery is tested on a small concept table of our own (word order, inflection,
determiners, misspellings, clause limits, context); the packaged table on the wording of the
issue's classes (generic phrases, not quotes from any record).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from extract_fixtures import make_knowledge
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mbcnav.extract import read_text
from mbcnav.extract.concepts import word_forms
from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.checks import Records
from mbcnav.knowledge.checks.concepts import check_concepts
from mbcnav.knowledge.loader import default_data_dir, read_records
from mbcnav.knowledge.schema import BodyPart, ConceptRule, Concepts, Head
from mbcnav.types import Finding

TABLE = Concepts(
    heads=(
        Head(id="pain", words=("pain", "ache", "hurt", "sore")),
        Head(id="weakness", words=("weakness", "weak", "power 4 5")),
    ),
    anatomy=(
        BodyPart(id="hip", region="bone", clinical=("hip", "femur"), lay=("thigh",)),
        BodyPart(id="shoulder", region="bone", clinical=("shoulder",)),
        BodyPart(id="leg", region="leg", clinical=("lower limb",), lay=("leg",)),
        BodyPart(id="back", region="back", lay=("back",)),
    ),
    rules=(
        ConceptRule(head="pain", regions=("bone",), finding="sym:bone_pain", sources=("src:t",)),
        ConceptRule(head="pain", regions=("back",), finding="sym:back_pain", sources=("src:t",)),
        ConceptRule(
            head="weakness", regions=("leg",), finding="sym:leg_weakness", sources=("src:t",)
        ),
    ),
)


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    symptoms = {
        "sym:bone_pain": {"clinical": ("bone pain",)},
        "sym:back_pain": {"clinical": ("back pain",)},
        "sym:leg_weakness": {"clinical": ("paraplegia",)},
        "sym:fever": {"clinical": ("fever",)},
    }
    return replace(make_knowledge(symptoms, {}, tag="concepts"), concepts=TABLE)


def _read(text: str, knowledge: Knowledge) -> list[Finding]:
    return list(read_text(text, knowledge).findings)


def _ids(text: str, knowledge: Knowledge) -> list[tuple[str, bool]]:
    return [(f.id, f.present) for f in _read(text, knowledge)]


@pytest.mark.parametrize(
    "text",
    [
        "hip pain",
        "pain in the hip",
        "Her hip hurts.",
        "the hip is sore",
        "aching in my right thigh",
        "pain of the left femur",
    ],
)
def test_either_word_order_reads_the_concept(kb: Knowledge, text: str) -> None:
    assert _ids(text, kb) == [("sym:bone_pain", True)]


@pytest.mark.parametrize(
    "text",
    [
        "her legs have become weak",
        "weakness in both lower limbs",
        "power 4/5 in both legs",
        "My hips ache",
        "she has been hurting in her shoulders",
    ],
)
def test_inflections_and_fillers_are_read(kb: Knowledge, text: str) -> None:
    found = _ids(text, kb)
    assert len(found) == 1 and found[0][1]


def test_span_is_the_union_of_head_and_body_part(kb: Knowledge) -> None:
    text = "On review her legs have become weak since Monday."
    (finding,) = _read(text, kb)
    assert (finding.start, finding.end) == (text.index("legs"), text.index(" since"))
    assert finding.text == text[finding.start : finding.end]


def test_misspelt_long_words_are_read_from_the_table(kb: Knowledge) -> None:
    misspelt = sorted(word_forms().misspellings["shoulder"])[0]
    assert _ids(f"pain in her {misspelt}", kb) == [("sym:bone_pain", True)]


@pytest.mark.parametrize(
    "text",
    [
        "She has pain. Her hip was replaced years ago.",
        "Pain is controlled; the hip moves freely.",
        "pain, but the hip is normal",
        "pain which the hip examination did not explain",
        "pain after a long walk with her dog and then a visit to the hip clinic",
    ],
)
def test_nothing_pairs_across_a_clause(kb: Knowledge, text: str) -> None:
    assert _ids(text, kb) == []


def test_a_context_trigger_between_them_breaks_the_pair(kb: Knowledge) -> None:
    assert _ids("pain and a history of hip surgery", kb) == []


def test_a_head_pairs_with_its_nearest_body_part(kb: Knowledge) -> None:
    assert _ids("back pain and leg weakness", kb) == [
        ("sym:back_pain", True),
        ("sym:leg_weakness", True),
    ]


def test_coordinated_body_parts_each_pair(kb: Knowledge) -> None:
    found = _read("pain in her hips and back", kb)
    assert [f.id for f in found] == ["sym:bone_pain", "sym:back_pain"]


def test_an_ambiguous_body_part_needs_a_determiner_or_its_head_beside_it(kb: Knowledge) -> None:
    assert _ids("The pain came back after a week.", kb) == []
    assert _ids("pain at the back of the thigh", kb) == [("sym:bone_pain", True)]
    assert _ids("pain in her back", kb) == [("sym:back_pain", True)]
    assert _ids("back hurts", kb) == [("sym:back_pain", True)]


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("No pain in her hip.", "No"),
        ("Her legs are not weak.", "not"),
        ("denies any weakness of the legs", "denies any"),
    ],
)
def test_negation_applies_to_a_concept(kb: Knowledge, text: str, trigger: str) -> None:
    (finding,) = _read(text, kb)
    assert not finding.present and finding.qualifiers.negated
    assert [t.text for t in finding.triggers if t.category == "negated"] == [trigger]


def test_other_context_applies_as_to_terms(kb: Knowledge) -> None:
    (family,) = _read("Her mother had weakness in both legs.", kb)
    assert family.qualifiers.family
    (historical,) = _read("History of pain in the right hip.", kb)
    assert historical.qualifiers.historical


def test_a_term_covering_the_head_wins(kb: Knowledge) -> None:
    assert _ids("bone pain in the hip", kb) == [("sym:bone_pain", True)]


def test_no_pair_across_a_term(kb: Knowledge) -> None:
    assert _ids("painful fever in the hip", kb) == [("sym:fever", True)]


# ---------------------------------------------------------------- the packaged table


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("My ribs hurt.", "sym:bone_pain"),
        ("There is a throbbing in my armpit.", "sym:lymph_node_pain"),
        ("I found a lump above my collarbone.", "sym:lymph_node_lump"),
        ("My arm looked bigger than the other.", "sym:arm_swelling"),
        ("My balance is off.", "sym:loss_of_balance"),
        ("I lose words mid-sentence.", "sym:speech_difficulty"),
        ("My hand is weak.", "sym:limb_weakness"),
        ("Her eyes had gone yellow.", "sym:jaundice"),
        ("numbness in the saddle area", "sym:saddle_anaesthesia"),
        ("She could barely walk.", "sym:difficulty_walking"),
        ("bone pains", "sym:bone_pain"),
        ("She has had trouble passing urine.", "sym:urinary_retention"),
        ("He has lost control of his bladder.", "sym:urinary_incontinence"),
        ("There is a crack in the T8 vertebra.", "sym:fracture"),
        ("It hurts to put weight on my leg.", "sym:weight_bearing_pain"),
    ],
)
def test_lay_wording_reads_with_the_packaged_table(
    knowledge: Knowledge, text: str, finding: str
) -> None:
    found = {(f.id, f.present) for f in read_text(text, knowledge).findings}
    assert (finding, True) in found


@pytest.mark.parametrize(
    "text",
    [
        "She has a skin lesion on the forearm.",  # a lesion is no sign of spread
        "A mass was found in her right breast.",  # the primary or a recurrence: unread
        "The fracture at the level of the surgical neck was fixed.",  # the humerus's neck
        "Painful headaches at the back of my head.",  # a position, and the head is the term's
    ],
)
def test_the_packaged_table_leaves_look_alikes_unread(knowledge: Knowledge, text: str) -> None:
    found = {f.id for f in read_text(text, knowledge).findings}
    assert not found & {"sym:skin_nodule", "sym:fracture", "sym:back_pain"}


def test_packaged_table_is_sound() -> None:
    records, problems = read_records(default_data_dir())
    assert records.concepts is not None and records.concepts.rules
    assert problems == [] and check_concepts(records) == []


def test_a_rule_naming_nothing_is_a_problem() -> None:
    table = Concepts(
        heads=(Head(id="pain", words=("pain",)),),
        anatomy=(BodyPart(id="hip", region="bone", clinical=("hip",), sites=("site:nowhere",)),),
        rules=(
            ConceptRule(
                head="ache", regions=("bone", "gut"), finding="sym:nothing", sources=("src:t",)
            ),
        ),
    )
    problems = check_concepts(Records(concepts=table))
    assert sorted(p.field for p in problems) == ["finding", "head", "regions", "sites"]
    assert {p.code for p in problems} == {"MBC-E204"}


# ---------------------------------------------------------------- any text

PIECES = st.sampled_from(
    [
        "pain", "hip", "hips", "legs", "weak", "power 4/5", "back", "the", "her", "no", "not",
        "but", ",", ".", ";", "\n", "  ", "in", "and", "shouldr", "lower limb", "é", "(", ")",
    ]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=60))
def test_reading_never_raises_and_spans_index_the_text(kb: Knowledge, pieces: list[str]) -> None:
    text = " ".join(pieces)
    for finding in read_text(text, kb).findings:
        assert finding.start is not None and finding.end is not None
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.text == text[finding.start : finding.end]
