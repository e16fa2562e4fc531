"""Red-flag criteria met in the words transcribed clinical notes use, each beside a near miss.

The wordings were found missing by running the engine on the presenting part (history,
examination, results) of transcribed notes whose diagnosis names the emergency. Each positive
meets the guideline criterion named in ``knowledge/data/red_flags.yaml``; each near miss shares
its words but not the criterion.
"""

from __future__ import annotations

import pytest

from mbcnav import Knowledge, assess


def _flags(text: str, knowledge: Knowledge) -> dict[str, str]:
    result = assess({"text": text, "setting": "suspected"}, knowledge=knowledge)
    return {flag.id: flag.urgency for flag in result.red_flags}


# (note, flag, urgency)
POSITIVES: list[tuple[str, str, str]] = [
    # BTS 2017 oxygen guideline: respiratory failure named is compromise at rest
    (
        "Brought in by ambulance in acute respiratory failure and started on BiPAP.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    (
        "Known COPD; now in type 2 respiratory failure on the blood gas.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    # Compter 2020: the raised-pressure headache wakes the patient from sleep
    (
        "For three weeks she has had headaches waking her from sleep.",
        "flag:raised_intracranial_pressure",
        "emergency",
    ),
    (
        "He has been woken by headaches most nights this month.",
        "flag:raised_intracranial_pressure",
        "emergency",
    ),
    # BTS 2023: a hemithorax opaque on the film is a massive effusion; with breathlessness it
    # is a symptomatic effusion
    (
        "Increasingly breathless; the radiograph shows the right hemithorax completely opacified.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    (
        "Short of breath for a week, with a white-out of the left lung on the film.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    # ESC 2015: an effusion is drained for tamponade or for symptoms
    (
        "Echo found fluid around the heart and a pericardiocentesis removed 600 mL.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    (
        "A subxiphoid pericardial window was needed; her pulse was 124.",
        "flag:cardiac_tamponade",
        "emergency",
    ),
    # ESMO 2016 / NICE CG151: a fever with a neutrophil count at or below 0.5 x 10^9/L
    (
        "Temperature 38.7 and an absolute neutrophil count of 300.",
        "flag:neutropenic_sepsis",
        "emergency",
    ),
    # NEWS2: a Glasgow Coma Scale of 8 or less cannot be alert (a score of 3 on its own)
    ("Brought in by ambulance with a GCS of 6.", "flag:reduced_consciousness", "emergency"),
]


@pytest.mark.parametrize(("text", "flag", "urgency"), POSITIVES)
def test_criterion_met_in_note_wording(
    text: str, flag: str, urgency: str, knowledge: Knowledge
) -> None:
    assert _flags(text, knowledge).get(flag) == urgency


# (note, flags that must not be raised)
NEAR_MISSES: list[tuple[str, set[str]]] = [
    # respiratory failure in the past, breathing normal now
    (
        "History of respiratory failure after pneumonia in 2015; breathing comfortably today.",
        {"flag:respiratory_compromise"},
    ),
    # a machine for sleep apnoea is not a failing chest
    ("Uses BiPAP at night for obstructive sleep apnoea.", {"flag:respiratory_compromise"}),
    # waking at night for another reason, with a daytime headache
    (
        "She wakes twice a night to pass urine and has a mild headache in the afternoons.",
        {"flag:raised_intracranial_pressure"},
    ),
    (
        "She woke at 3 am with palpitations and had a tension headache later that day.",
        {"flag:raised_intracranial_pressure"},
    ),
    # an opacified sinus or a round opacity in the chest is not an effusion
    (
        "Breathless on exertion; CT shows an opacified right maxillary sinus.",
        {"flag:respiratory_compromise"},
    ),
    (
        "Breathless on the stairs; a rounded opacity in the left hemithorax on the film.",
        {"flag:respiratory_compromise"},
    ),
    # a drainage in the past, or an effusion nobody needed to drain
    ("History of pericardiocentesis for a viral effusion.", {"flag:respiratory_compromise"}),
    (
        "A trace of pericardial fluid on echo; no drainage was needed.",
        {"flag:respiratory_compromise", "flag:cardiac_tamponade"},
    ),
    # a fever with a differential written without its % sign, or a normal count
    ("Febrile to 38.6; neutrophils 78, lymphocytes 15.", {"flag:neutropenic_sepsis"}),
    ("Temperature 38.4 with neutrophils 5.2 x 10^9/L.", {"flag:neutropenic_sepsis"}),
    # a drowsy patient with a GCS above 8 and no confusion
    ("Drowsy after the night shift; GCS 14.", {"flag:reduced_consciousness"}),
]


@pytest.mark.parametrize(("text", "absent"), NEAR_MISSES)
def test_near_miss_does_not_meet_the_criterion(
    text: str, absent: set[str], knowledge: Knowledge
) -> None:
    flags = _flags(text, knowledge)
    assert not absent & flags.keys(), flags


def test_opacified_hemithorax_reads_an_effusion(knowledge: Knowledge) -> None:
    """The finding itself, in either word order, so the network sees the pleura too."""
    for text in ("Opacification of the left hemithorax.", "The left hemithorax was opaque."):
        result = assess({"text": text}, knowledge=knowledge)
        assert "sym:pleural_effusion" in {f.id for f in result.findings if f.present}, text


def test_drained_effusion_is_still_an_effusion_for_the_network(knowledge: Knowledge) -> None:
    """The drainage words moved to a flag-only finding; the effusion derives from it."""
    result = assess({"text": "She had a pericardial window."}, knowledge=knowledge)
    present = {f.id for f in result.findings if f.present}
    assert {"sym:pericardial_drainage", "sym:pericardial_effusion"} <= present


def test_respiratory_failure_cites_the_oxygen_guideline(knowledge: Knowledge) -> None:
    assert "src:bts_oxygen2017" in knowledge.red_flags["flag:respiratory_compromise"].sources
    assert "src:bts_oxygen2017" in knowledge.symptoms["sym:respiratory_distress"].sources
