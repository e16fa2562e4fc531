"""Flank pain, dysuria/urgency, ureteric obstruction, abnormal vaginal bleeding and a breast lump.

Real case reports and patients present spread to the retroperitoneum, bladder, uterus and
cervix, and chest-wall recurrence, with these complaints, which the knowledge lacked (issue
11). Each concept is checked on word order, an inflection, a misspelling from the generated
table, the clause limit and a negated form; the clinical terms on a term and its negation.
Phrases are generic ways of saying the concept.
"""

from __future__ import annotations

import pytest
from concept_battery import ConceptClass, check_concept_class, found

from mbcnav.knowledge import Knowledge

# (finding, word order A, word order B, an inflection, (word to misspell, text with {}),
#  a clause-limit negative, a negated form)
CLASSES = [
    (
        "sym:flank_pain",
        "She has pain in her left flank.",
        "Her right loin is sore.",
        "my kidneys have been aching",
        ("kidney", "a pain in my {}"),
        "The pain settled. Her kidney function was normal.",
        "Her flank is not tender.",
    ),
    (
        "sym:urinary_symptoms",
        "burning on passing urine",
        "Passing urine stings.",
        "it burned to urinate",
        ("urination", "painful {}"),
        "Her hand was burnt; she passed urine normally.",
        "no pain on passing urine",
    ),
    (
        "sym:ureteric_obstruction",
        "obstruction of both ureters",
        "the left ureter was obstructed",
        "blockages of the kidneys",
        ("obstruction", "{} of the right ureter"),
        "Bowel obstruction was excluded; her kidneys were normal.",
        "The kidneys were not obstructed.",
    ),
    (
        "sym:abnormal_vaginal_bleeding",
        "bleeding from her vagina",
        "the womb was bleeding",
        "she bled from the vagina",
        ("haemorrhage", "a {} from the uterus"),
        "Her nose was bleeding; the cervix looked normal.",
        "no bleeding from the vagina",
    ),
    (
        "sym:breast_lump",
        "I found a lump in my left breast.",
        "My breast has a new lump.",
        "lumps on the mastectomy side",
        ("breast", "a hard lump in my {}"),
        "The lump settled. Her breast was scanned.",
        "There is no lump in the breast.",
    ),
]
IDS = [c[0] for c in CLASSES]


@pytest.mark.parametrize("case", CLASSES, ids=IDS)
def test_concept_class_reads_in_every_form(knowledge: Knowledge, case: ConceptClass) -> None:
    check_concept_class(case, knowledge)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("left flank pain", "sym:flank_pain"),
        ("costovertebral angle tenderness", "sym:flank_pain"),
        ("dysuria and urinary urgency", "sym:urinary_symptoms"),
        ("CT showed bilateral hydronephrosis.", "sym:ureteric_obstruction"),
        ("obstructive uropathy", "sym:ureteric_obstruction"),
        ("postmenopausal bleeding", "sym:abnormal_vaginal_bleeding"),
        ("abnormal uterine bleeding", "sym:abnormal_vaginal_bleeding"),
        ("PV bleeding for two weeks", "sym:abnormal_vaginal_bleeding"),
        ("visible haematuria", "sym:haematuria"),
        ("gross hematuria", "sym:haematuria"),
        ("I have been peeing blood.", "sym:haematuria"),
    ],
)
def test_clinical_terms_read(knowledge: Knowledge, text: str, finding: str) -> None:
    assert (finding, True) in found(text, knowledge)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("No hydronephrosis.", "sym:ureteric_obstruction"),
        ("She denies dysuria.", "sym:urinary_symptoms"),
        ("no postmenopausal bleeding", "sym:abnormal_vaginal_bleeding"),
        ("No flank pain.", "sym:flank_pain"),
        ("She had no blood in her urine.", "sym:haematuria"),
    ],
)
def test_negated_terms_read_absent(knowledge: Knowledge, text: str, finding: str) -> None:
    read = found(text, knowledge)
    assert (finding, False) in read and (finding, True) not in read


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # a stent or a nephrostomy is a procedure, mostly for stones: not the finding
        ("A ureteral stent was placed for a stone.", "sym:ureteric_obstruction"),
        # "frequent urination" stays polyuria (lay words do not tell often from much)
        ("frequent urination", "sym:urinary_symptoms"),
        # a standing diagnosis, not a new urgency (HPO synonym filtered)
        ("overactive bladder with urge incontinence", "sym:urinary_symptoms"),
        # a GI bleed is not vaginal bleeding
        ("gastrointestinal bleeding", "sym:abnormal_vaginal_bleeding"),
        # a swollen breast is more often the inflammatory primary or lymphoedema
        ("swelling of both breasts", "sym:breast_lump"),
        # the lump is in the armpit, the breast only named after it
        ("The lump is in my armpit, not my breast.", "sym:breast_lump"),
        # "kidney" modifying another noun is no kidney
        ("She reports pain and her kidney function is normal.", "sym:flank_pain"),
        ("a kidney transplant with a blocked fistula", "sym:ureteric_obstruction"),
        ("The duct was blocked by a kidney stone.", "sym:ureteric_obstruction"),
        # blood tests and urine tests are no blood in the urine
        ("Blood and urine tests were sent.", "sym:haematuria"),
    ],
)
def test_near_misses_read_nothing_of_the_finding(
    knowledge: Knowledge, text: str, finding: str
) -> None:
    assert finding not in {ident for ident, _ in found(text, knowledge)}


def test_urge_incontinence_keeps_its_own_finding(knowledge: Knowledge) -> None:
    read = found("Overactive bladder with urge incontinence.", knowledge)
    assert ("sym:urinary_incontinence", True) in read


def test_new_findings_move_the_network(knowledge: Knowledge) -> None:
    """Each new finding is an effect in the network: a leak, and a link where spread causes it."""
    linked = {link.symptom for link in knowledge.network.links}
    leaked = {leak.symptom for leak in knowledge.network.leaks}
    for finding in (*IDS, "sym:haematuria"):
        assert finding in leaked and finding in linked
    assert {"sym:flank_pain", "sym:ureteric_obstruction", "sym:urinary_symptoms"} <= linked
    assert "sym:abnormal_vaginal_bleeding" in linked
