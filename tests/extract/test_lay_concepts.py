"""Lay and clinical wording of existing findings, read through the packaged concept table.

Each concept class added for patients' own words is checked on its word order, an inflection,
a misspelling from the generated table, a clause limit (the complaint and the body part in two
clauses must not pair) and a negated form. Phrases are generic ways of saying the concept, not
quotes from any record.
"""

from __future__ import annotations

import pytest
from concept_battery import ConceptClass, check_concept_class, found

from mbcnav.knowledge import Knowledge

# (finding, word order A, word order B, an inflection, (word to misspell, text with {}),
#  a clause-limit negative, a negated form)
CLASSES = [
    (
        "sym:cervical_spine_pain",
        "My neck hurts.",
        "She has had an ache in her neck.",
        "her neck has been aching",
        ("discomfort", "{} in the back of my neck"),
        "The pain settled. Her neck was scanned.",
        "Her neck is not painful.",
    ),
    (
        "sym:radicular_pain",
        "a pain shooting down my left leg",
        "Down her leg the pain radiates.",
        "pain that radiated into both legs",
        ("radiating", "pain {} down her leg"),
        "The scan showed radiation changes; her leg was fine.",
        "no pain radiating down the legs",
    ),
    (
        "sym:chest_pain",
        "It hurts to breathe.",
        "Breathing is painful.",
        "breathing hurts",
        ("breathing", "painful {}"),
        "Her back hurts; breathing is easy.",
        "It does not hurt to breathe.",
    ),
    (
        "sym:skin_nodule",
        "a lump under the skin of her arm",
        "On her scalp there is a lump.",
        "several lumps on the scalp",
        ("growth", "a {} on my scalp"),
        "The lump was in her breast. Her scalp was normal.",
        "no lumps on the scalp",
    ),
    (
        "sym:fracture",
        "a fracture of the thigh bone",
        "She had broken a rib.",
        "both ribs were fractured",
        ("fracture", "a {} of the pelvis"),
        "The fracture clinic was closed; her rib cage moved normally.",
        "no fracture of the ribs",
    ),
    (
        "sym:vision_loss",
        "She is blind in her right eye.",
        "Her eye went blind.",
        "she has gone blind in one eye",
        ("blindness", "{} of the left eye"),
        "The trial was blind; her eyes were examined.",
        "She is not blind in either eye.",
    ),
    (
        "sym:blurred_vision",
        "My left eye is cloudy.",
        "a cloudiness of her vision",
        "her eyes were blurring",
        ("blurry", "my eyes are {}"),
        "The sky was hazy. My eyes were tested.",
        "Her vision is not blurry.",
    ),
    (
        "sym:memory_loss",
        "I have trouble with my memory.",
        "Her memory has been a problem.",
        "he is having problems with his memory",
        ("memory", "difficulty with her {}"),
        "Walking was a struggle; her memory is good.",
        "She has no trouble with her memory.",
    ),
    (
        "sym:confusion",
        "My head feels foggy.",
        "a fuzzy head",
        "My head clouds over.",
        ("fogginess", "{} in my head"),
        "The morning was foggy. Her head CT was normal.",
        "Her head is not foggy.",
    ),
    (
        "sym:loss_of_appetite",
        "My appetite is off.",
        "She has lost her appetite.",
        "her appetite has been reduced",
        ("appetite", "poor {}"),
        "She lost her keys; the appetite was good.",
        "Her appetite is not reduced.",
    ),
    (
        "sym:weight_loss",
        "I have lost 6 kg.",
        "six kilos lost since spring",
        "she is losing pounds every week",
        ("kilogram", "lost three {}"),
        "She lost her job. She weighs 60 kg.",
        "She has not lost any pounds.",
    ),
    (
        "sym:hoarseness",
        "a raspy voice",
        "My voice is husky.",
        "their voices were hoarse",
        ("hoarseness", "{} of her voice"),
        "Her voice was normal. The hoarse cough came later.",
        "Her voice is not hoarse.",
    ),
    (
        "sym:leg_weakness",
        "She is dragging her right leg.",
        "Her left foot drags.",
        "he dragged both feet",
        ("dragging", "{} her left leg"),
        "The bag was dragging. Her legs were fine.",
        "She is not dragging her leg.",
    ),
    (
        "sym:loss_of_balance",
        "My balance is terrible.",
        "a worsening balance",
        "her balance has worsened",
        ("deteriorating", "{} balance"),
        "The weather was terrible. Her balance was tested.",
        "Her balance is not deteriorating.",
    ),
    (
        "sym:hepatomegaly",
        "a swelling under my ribs",
        "Under my ribs it feels swollen.",
        "the liver swells",
        ("swelling", "{} under the ribs"),
        "Her ankles were swollen. The liver was scanned.",
        "no swelling under the ribs",
    ),
]
IDS = [f"{c[0]}-{n}" for n, c in enumerate(CLASSES)]


@pytest.mark.parametrize("case", CLASSES, ids=IDS)
def test_concept_class_reads_in_every_form(knowledge: Knowledge, case: ConceptClass) -> None:
    check_concept_class(case, knowledge)


# ---------------------------------------------------------------- heads and terms


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("My legs are getting weaker.", "sym:leg_weakness"),
        ("My legs feel like jelly.", "sym:leg_weakness"),
        ("I can't lift my right leg.", "sym:leg_weakness"),
        ("a pain in my right side under the ribs", "sym:ruq_pain"),
        ("I get puffed on the stairs.", "sym:dyspnoea"),
        ("I have problems controlling my bladder.", "sym:urinary_incontinence"),
        ("She feels very thirsty.", "sym:polyuria_polydipsia"),
        ("an ache between my shoulders", "sym:thoracic_spine_pain"),
        ("I have to sleep propped up.", "sym:orthopnoea"),
        ("My arm feels heavy.", "sym:arm_swelling"),
        ("My hip has been killing me.", "sym:bone_pain"),
        ("I found a lump under my left arm.", "sym:lymph_node_lump"),
        ("I've had pain for three weeks in my hip.", "sym:bone_pain"),
        ("He has balance problems.", "sym:loss_of_balance"),
        ("She has had problems passing urine.", "sym:urinary_retention"),
        ("She had a swelling of her thumb.", "sym:arm_swelling"),
        ("a painful rash on her trunk", "sym:skin_lesion"),
        ("I was just so run down.", "sym:fatigue"),
        ("She became fatigued.", "sym:fatigue"),
        ("I couldn't keep food down.", "sym:vomiting"),
        ("My back gave out.", "sym:back_pain"),
        ("She has been limping.", "sym:difficulty_walking"),
        ("I struggle to find words.", "sym:speech_difficulty"),
        ("new bowel symptoms", "sym:bowel_habit_change"),
    ],
)
def test_lay_heads_and_terms_read(knowledge: Knowledge, text: str, finding: str) -> None:
    assert (finding, True) in found(text, knowledge)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("a swelling under my arm", "sym:arm_swelling"),  # the armpit: a node, not the arm
        ("The skin over the lump is normal.", "sym:skin_nodule"),  # a breast lump's skin
        ("chest pain radiating to the left arm", "sym:radicular_pain"),  # the heart's pain
        ("pain in his feet and legs", "sym:bone_pain"),  # a leg's pain is not the bone's
        ("CT of the abdomen on 03/22/2010 showed an enlarged uterus", "sym:abdominal_bloating"),
        ("He dropped a weight on his foot.", "sym:weight_loss"),
        ("The needle dragged on the left side.", "sym:one_sided_weakness"),
        ("The pain got worse, her vision was fine.", "sym:vision_loss"),
        ("She had bad memories of the ward.", "sym:memory_loss"),
        ("new bone growth in the femur", "sym:skin_nodule"),  # a scan's word
        ("He was shot in the leg.", "sym:radicular_pain"),
        ("a blinding pain behind my eye", "sym:vision_loss"),
        ("pain worse with walking", "sym:difficulty_walking"),
        ("There was no change in her vision.", "sym:blurred_vision"),  # "no change": stable
        ("I can't think why it started.", "sym:confusion"),
        ("a bulge in the left groin", "sym:lymph_node_lump"),  # a hernia
        ("talking and understanding, and able to verbalize issues", "sym:speech_difficulty"),
    ],
)
def test_look_alikes_stay_unread(knowledge: Knowledge, text: str, finding: str) -> None:
    assert finding not in {ident for ident, _ in found(text, knowledge)}
