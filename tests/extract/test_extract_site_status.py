"""Site mentions: suggestive imaging wording, confirmation, hypothetical and queried mentions."""

from __future__ import annotations

import pytest

from mbcnav.extract import read_text
from mbcnav.extract.sentences import sentence_starts
from mbcnav.knowledge import Knowledge

# text, the set of (site, status) the reader must report
CASES = [
    ("Lytic lesion in T10.", {("site:spine", "suspected")}),
    ("Lytic lesions in the pelvis.", {("site:bone", "suspected")}),
    ("Lytic lesion in T10, consistent with metastasis.", {("site:spine", "known")}),
    ("Biopsy-proven lytic lesion in the iliac crest.", {("site:bone", "known")}),
    ("Lytic lesion in T10, concerning for metastasis.", {("site:spine", "suspected")}),
    ("Lytic lesion in T10, no evidence of metastasis.", {("site:spine", "suspected")}),
    ("Metastatic breast cancer with a new lytic lesion in T10.", {("site:spine", "suspected")}),
    (
        "Lytic lesions and liver metastases.",
        {("site:bone", "suspected"), ("site:liver", "known")},
    ),
    ("Leptomeningeal enhancement.", {("site:leptomeninges", "suspected")}),
    ("Osseous metastases in the pelvis.", {("site:bone", "known")}),
    ("The possibility of local recurrence was explained.", set()),
    ("Evaluate for metastatic disease in the liver.", set()),
    ("CT to evaluate for liver metastases.", set()),
    ("CT is concerning for liver metastases.", {("site:liver", "suspected")}),
    ("Cannot exclude liver metastases.", {("site:liver", "suspected")}),
    ("Rule out liver metastases.", {("site:liver", "suspected")}),
    ("No headache. ?liver mets", {("site:liver", "suspected")}),
    ("no headache, ?liver mets", {("site:liver", "suspected")}),
    ("No evidence of brain metastases.", {("site:brain", "negated")}),
    # negations that say nothing about the site now are dropped, not negated
    ("Prior CT in 2019 showed no liver metastases.", set()),
    ("No history of brain metastases.", set()),
    ("If there are no brain metastases, we will proceed.", set()),
    ("Her mother had no brain metastases.", set()),
]


def _statuses(text: str, knowledge: Knowledge) -> set[tuple[str, str]]:
    """(site, status) of every site mention the reader finds in ``text``."""
    return {(m.site, m.status) for m in read_text(text, knowledge).site_mentions}


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_site_status(text: str, expected: set[tuple[str, str]], tiny_kb: Knowledge) -> None:
    got = _statuses(text, tiny_kb)
    assert got == expected, text


def test_clinical_kb_suggestive_terms_are_suspected(knowledge: Knowledge) -> None:
    text = "Pleural nodularity. Increased uptake on bone scan in the ribs."
    got = _statuses(text, knowledge)
    assert got == {("site:pleura", "suspected"), ("site:bone", "suspected")}


def test_confirmed_suggestive_term_stays_known(knowledge: Knowledge) -> None:
    text = "Multiple enhancing brain lesions, consistent with metastases."
    got = {(m.text, m.status) for m in read_text(text, knowledge).site_mentions}
    assert ("enhancing brain lesions", "known") in got


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("No headache. ?liver mets", 2),  # a query mark opens a sentence
        ("No pain.  ? PE", 2),  # a "?" before a word is not a sentence end
        ("Any pain? No fever.", 2),  # a "?" after a word ends a question
    ],
)
def test_query_marks_and_sentences(text: str, sentences: int) -> None:
    assert len(sentence_starts(text)) == sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No evidence of cord compression.", set()),
        ("No spinal cord compression or epidural extension.", set()),
        ("T10 vertebral metastasis without cord compression.", {("site:spine", "known")}),
        ("Spinal cord compression at T10.", {("site:spine", "known")}),
        ("No evidence of spinal metastases.", {("site:spine", "negated")}),
    ],
)
def test_a_negated_complication_does_not_negate_its_site(
    text: str, expected: set[tuple[str, str]], knowledge: Knowledge
) -> None:
    """ "No cord compression" does not say the spine is free of metastases."""
    got = _statuses(text, knowledge)
    assert got == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bone scan negative.", {("site:bone", "negated")}),
        ("Bone scan was negative for metastatic disease", {("site:bone", "negated")}),
        ("MRI brain: no metastases.", {("site:brain", "negated")}),
        ("MRI of the brain showed no evidence of metastatic disease", {("site:brain", "negated")}),
        ("CT head negative", {("site:brain", "negated")}),
        ("Liver ultrasound normal", {("site:liver", "negated")}),
        ("Bone scintigraphy unremarkable.", {("site:bone", "negated")}),
        ("MRI whole spine: no metastases.", {("site:spine", "negated")}),
        ("Head CT was unremarkable.", {("site:brain", "negated")}),
        ("Normal MRI brain.", {("site:brain", "negated")}),
        # a test done, planned, ordered or not done names no site; uptake alone states nothing
        ("Bone scan showed uptake", set()),
        ("MRI brain ordered", set()),
        ("Plan: bone scan", set()),
        ("Bone scan was not done.", set()),
        ("Bone scan was not normal.", set()),
        ("Liver ultrasound: normal echotexture, 2 cm lesion.", set()),
        ("If the bone scan is negative, we will proceed.", set()),
        ("Prior bone scan in 2019 was negative.", set()),
        # whole-body tests survey several sites: no single-site mention
        ("PET-CT negative.", set()),
        ("PET-CT showed no distant metastases", set()),
    ],
)
def test_a_one_site_test_stated_negative_negates_its_site(
    text: str, expected: set[tuple[str, str]], knowledge: Knowledge
) -> None:
    """Negative staging names a test, not a site: the test's one site is stated free."""
    got = _statuses(text, knowledge)
    assert got == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bone scan showed metastatic disease", {("site:bone", "suspected")}),
        ("Bone scan positive", {("site:bone", "suspected")}),
        ("Bone scan was abnormal.", {("site:bone", "suspected")}),
        ("MRI brain: multiple metastases", {("site:brain", "suspected")}),
        ("CT head positive for metastases", {("site:brain", "suspected")}),
        ("Bone scan concerning for metastatic disease", {("site:bone", "suspected")}),
        ("Prior bone scan in 2019 showed metastatic disease.", {("site:bone", "historical")}),
        # a site term or construction of the same sentence keeps its own mention, no duplicate
        ("MRI brain showed brain metastases", {("site:brain", "known")}),
        ("MRI spine revealed metastatic deposits at T10", {("site:spine", "known")}),
        (
            "Bone scan showed increased uptake in the ribs consistent with metastases",
            {("site:bone", "known")},
        ),
        # planned, hypothetical, someone else's, or not positive: no site
        ("bone scan to rule out metastases", set()),
        ("Bone scan for metastatic breast cancer staging.", set()),
        ("plan: bone scan", set()),
        ("bone scan ordered", set()),
        ("if the bone scan is positive", set()),
        ("Bone scan ordered to assess for metastatic disease.", set()),
        ("Her mother's bone scan showed metastases.", set()),
        ("Bone scan was not positive.", set()),
        ("Bone scan: increased uptake", set()),
        # negative tests stay negated
        ("Bone scan negative.", {("site:bone", "negated")}),
        ("Bone scan was negative for metastatic disease", {("site:bone", "negated")}),
        ("MRI brain: no metastases.", {("site:brain", "negated")}),
    ],
)
def test_a_one_site_test_stated_positive_makes_its_site_suspected(
    text: str, expected: set[tuple[str, str]], knowledge: Knowledge
) -> None:
    """Imaging alone can mislead (degenerative change, fracture): a positive test is suspected
    evidence for its one site, never known."""
    got = _statuses(text, knowledge)
    assert got == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MRI brain with and without contrast showed metastases.", {("site:brain", "known")}),
        ("MRI brain with and without contrast: no metastases.", {("site:brain", "negated")}),
        ("CT head without contrast: negative.", {("site:brain", "negated")}),
    ],
)
def test_contrast_wording_is_not_a_negation(
    text: str, expected: set[tuple[str, str]], knowledge: Knowledge
) -> None:
    """'with and without contrast' names how the scan was done; it negates nothing."""
    got = _statuses(text, knowledge)
    assert got == expected, text


@pytest.mark.parametrize(
    "text",
    [
        "Brain MRI for metastatic workup.",
        "MRI brain with and without contrast for metastatic workup.",
        "Bone scan requested as part of the metastatic work-up.",
    ],
)
def test_a_test_for_metastatic_workup_names_no_site(text: str, knowledge: Knowledge) -> None:
    """A scan's purpose is not its result: planned staging must not read as known spread."""
    assert read_text(text, knowledge).site_mentions == (), text
