"""The issue's regression cases, and the peers' known failures, as a table."""

from __future__ import annotations

import pytest

from mbcnav.extract import qualify, read_text
from mbcnav.knowledge import Knowledge


def _span(text: str, target: str) -> tuple[int, int]:
    start = text.index(target)
    return start, start + len(target)


# text, target, qualifiers that must be set, qualifiers that must not be set
CASES = [
    ("Extremities: No clubbing, cyanosis, or edema.", "clubbing", {"negated"}, set()),
    ("Extremities: No clubbing, cyanosis, or edema.", "cyanosis", {"negated"}, set()),
    ("Extremities: No clubbing, cyanosis, or edema.", "edema", {"negated"}, set()),
    ("The bone scan is negative for metastatic disease.", "metastatic disease", {"negated"}, set()),
    ("Biopsy was negative for malignancy.", "malignancy", {"negated"}, set()),
    ("Evaluate for metastatic disease.", "metastatic disease", {"hypothetical"}, {"negated"}),
    ("Her back pain has resolved.", "back pain", {"historical"}, set()),
    ("No chest pain but has fever.", "chest pain", {"negated"}, set()),
    ("No chest pain but has fever.", "fever", set(), {"negated"}),
    ("Mother had breast cancer at 45.", "breast cancer", {"family"}, {"negated"}),
    ("History of breast cancer in 2015.", "breast cancer", {"historical"}, {"negated"}),
    ("Status post mastectomy for breast cancer.", "mastectomy", {"historical"}, set()),
    ("Return to the clinic if leg weakness develops.", "leg weakness", {"hypothetical"}, set()),
    ("Call if you have fever or chills.", "fever", {"hypothetical"}, {"negated"}),
    ("CT is concerning for liver metastases.", "liver metastases", {"uncertain"}, {"negated"}),
    ("Possible osseous metastasis in the pelvis.", "osseous metastasis", {"uncertain"}, set()),
    ("Rule out spinal cord compression.", "spinal cord compression", {"uncertain"}, {"negated"}),
    ("She denies headache, nausea, or vomiting.", "vomiting", {"negated"}, set()),
    ("Patient is not only tired but also breathless.", "tired", set(), {"negated"}),
    ("There is no increase in the back pain.", "back pain", set(), {"negated"}),
    ("Headache is absent.", "Headache", {"negated"}, set()),
    ("She had no overt signs of infection.", "infection", {"negated"}, set()),
    ("He did not have any abdominal pain.", "abdominal pain", {"negated"}, set()),
    ("No fever. She reports cough.", "cough", set(), {"negated"}),
    ("Denies fever; reports back pain.", "back pain", set(), {"negated"}),
    ("FAMILY HISTORY: Breast cancer in her sister.", "Breast cancer", {"family"}, set()),
    (
        "PAST MEDICAL HISTORY: Hypertension. SOCIAL HISTORY: None.",
        "Hypertension",
        {"historical"},
        set(),
    ),
    ("HISTORY OF PRESENT ILLNESS: Back pain for 3 weeks.", "Back pain", set(), {"historical"}),
    ("Two-day history of fever and vomiting.", "vomiting", set(), {"historical"}),
    # A duration in months or years before "history of" dates a current complaint, like days
    # and weeks do; a bare "history of" still marks the past.
    ("A 15-month history of red skin lesions.", "skin lesions", set(), {"historical"}),
    ("She gave a two month history of dysphagia.", "dysphagia", set(), {"historical"}),
    ("A 2-year history of bone pain.", "bone pain", set(), {"historical"}),
    ("She has a history of migraine.", "migraine", {"historical"}, set()),
    ("No headache. ?liver mets", "liver mets", {"uncertain"}, {"negated"}),
    ("no headache, ?liver mets", "liver mets", {"uncertain"}, {"negated"}),
    ("no headache, ?liver mets", "headache", {"negated"}, {"uncertain"}),
    ("No pain.  ? PE", "PE", {"uncertain"}, {"negated"}),
    ("Any chest pain? No fever.", "fever", {"negated"}, {"uncertain"}),
    ("Cannot exclude liver metastases.", "liver metastases", {"uncertain"}, {"hypothetical"}),
    ("Menstrual History: Post-menopausal.", "Post-menopausal", {"historical"}, set()),
    ("Healed rib fracture on the left.", "rib fracture", {"historical"}, set()),
    ("She formerly smoked cigarettes.", "smoked", {"historical"}, set()),
    # A semicolon ends a clause, and with it every scope, as a full stop does.
    ("She can no longer stand; hip pain since May.", "hip pain", set(), {"negated"}),
    ("She can no longer stand; hip pain since May.", "stand", {"negated"}, set()),
    ("Past history of asthma; breathless at rest.", "breathless", set(), {"historical"}),
    ("No fever, chills or sweats.", "sweats", {"negated"}, set()),
    # A new clause in a patient's words, with its own subject, is out of an earlier "without".
    ("I tripped without noticing and my hip is killing me.", "hip", set(), {"negated"}),
    ("Walking without pain in my hip.", "pain", {"negated"}, set()),
    # A finite "had" starts the predicate after a negated or historical noun phrase.
    ("A woman with no history of smoking had a cough.", "cough", set(), {"negated"}),
    ("With no past medical history, had been jaundiced.", "jaundiced", set(), {"historical"}),
    ("She had no cough.", "cough", {"negated"}, set()),
    ("She previously had a mastectomy.", "mastectomy", {"historical"}, set()),
    # Coming or being referred with a finding makes it the present problem.
    ("No past history; came in breathless.", "breathless", set(), {"negated", "historical"}),
    (
        "Past history of angina, referred for a raised calcium.",
        "raised calcium",
        set(),
        {"historical"},
    ),
    ("A woman with no medical history attended with jaundice.", "jaundice", set(), {"negated"}),
    ("Past history of angina and asthma.", "asthma", {"historical"}, set()),
    ("Increasing breathlessness after a history of asthma.", "asthma", {"historical"}, set()),
    ("History of gallstones, progressive jaundice.", "jaundice", set(), {"historical"}),
]


@pytest.mark.parametrize(("text", "target", "must", "must_not"), CASES)
def test_qualifiers(text: str, target: str, must: set[str], must_not: set[str]) -> None:
    (result,) = qualify(text, [_span(text, target)])
    flags = {
        name
        for name in ("negated", "historical", "hypothetical", "family", "uncertain")
        if getattr(result, name)
    }
    assert must <= flags, (text, target, flags)
    assert not (must_not & flags), (text, target, flags)


def test_each_set_qualifier_names_its_trigger_span() -> None:
    text = "She denies any chest pain and her mother had breast cancer."
    for result in qualify(text, [_span(text, "chest pain"), _span(text, "breast cancer")]):
        assert result.triggers
        for trigger in result.triggers:
            if trigger.category != "section":
                assert text[trigger.start : trigger.end] == trigger.text


def test_exam_list_all_negated_in_read_text(tiny_kb: Knowledge) -> None:
    reading = read_text("Extremities: No clubbing, cyanosis, or edema.", tiny_kb)
    assert {f.id for f in reading.findings} == {"sym:clubbing", "sym:cyanosis", "sym:edema"}
    assert all(not f.present and f.qualifiers.negated for f in reading.findings)


def test_scope_ends_at_but(tiny_kb: Knowledge) -> None:
    reading = read_text("no chest pain but has fever", tiny_kb)
    present = {f.id: f.present for f in reading.findings}
    assert present == {"sym:chest_pain": False, "sym:fever": True}


def test_site_mentions_and_their_status(tiny_kb: Knowledge) -> None:
    text = (
        "CT shows metastases to the liver. Bone scan concerning for osseous metastasis. "
        "Lytic lesion in T10. No evidence of brain metastases. Malignant pleural effusion."
    )
    got = {(m.site, m.status) for m in read_text(text, tiny_kb).site_mentions}
    assert got == {
        ("site:liver", "known"),
        ("site:bone", "suspected"),
        ("site:spine", "suspected"),  # a lytic lesion only suggests spread
        ("site:brain", "negated"),
        ("site:pleura", "known"),
    }


def test_family_site_mentions_are_dropped(tiny_kb: Knowledge) -> None:
    assert read_text("Her mother had liver metastases.", tiny_kb).site_mentions == ()


def test_patient_words_and_abbreviations(tiny_kb: Knowledge) -> None:
    reading = read_text("my tummy feels swollen and my eyes look yellow; SOB and N/V", tiny_kb)
    assert {f.id for f in reading.findings if f.present} == {
        "sym:abdominal_swelling",
        "sym:jaundice",
        "sym:dyspnoea",
        "sym:nausea",
    }


def test_capitalised_abbreviation_is_not_an_ordinary_word(tiny_kb: Knowledge) -> None:
    assert read_text("He said he would not sob.", tiny_kb).findings == ()


@pytest.mark.parametrize(
    ("text", "labs"),
    [
        ("Corrected calcium 3.1 mmol/L.", {"calcium_corrected_mmol_l": 3.1}),
        ("Calcium was 12.0 mg/dL.", {"calcium_corrected_mmol_l": 2.994}),
        ("Total bilirubin 2.0 mg/dL, ALP 410 U/L.", {"bilirubin_umol_l": 34.2, "alp_u_l": 410.0}),
        ("Bilirubin 45 umol/L.", {"bilirubin_umol_l": 45.0}),
        ("Calcium carbonate 500 mg daily.", {}),
        ("CA 15-3 was 80.", {}),
    ],
)
def test_labs(text: str, labs: dict[str, float], tiny_kb: Knowledge) -> None:
    assert read_text(text, tiny_kb).labs == pytest.approx(labs)


def test_sections_are_reported(tiny_kb: Knowledge) -> None:
    text = "HPI: Back pain.  PAST MEDICAL HISTORY: Headaches.  FAMILY HISTORY: Mother with fever."
    reading = read_text(text, tiny_kb)
    assert [s.name for s in reading.sections] == [
        "history_present_illness",
        "past_history",
        "family_history",
    ]
    by_id = {f.id: f.qualifiers for f in reading.findings}
    assert by_id["sym:headache"].historical
    assert by_id["sym:fever"].family
    assert not by_id["sym:back_pain"].historical


def test_article_symptoms_found_in_patients_words(knowledge: Knowledge) -> None:
    """Every lay phrase of every symptom the patient article names reads as that symptom."""
    missed = []
    for symptom in knowledge.symptoms.values():
        if not symptom.article:
            continue
        for phrase in symptom.terms.lay:
            found = {f.id for f in read_text(f"Since Monday: {phrase}.", knowledge).findings}
            if symptom.id not in found:
                missed.append((symptom.id, phrase, sorted(found)))
    assert [s for s in knowledge.symptoms.values() if s.article]
    assert missed == []
