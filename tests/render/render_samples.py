"""A small hand-made knowledge base and assessments: rendering tested apart from the engine."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.schema import (
    Meta,
    Network,
    RedFlagRule,
    Route,
    Site,
    Source,
    Symptom,
    Treatment,
    Workup,
)
from mbcnav.types import Assessment

SRC = ["src:nice"]
SITES = {
    "site:spine": ("Spine", "Backbone", "spine", "route:blood"),
    "site:bone": ("Bone (other than spine)", "Bones", "skeleton", "route:blood"),
    "site:liver": ("Liver", "Liver", "liver", "route:blood"),
    "site:brain": ("Brain", "Brain", "head", "route:blood"),
    "site:lymph_nodes": ("Lymph nodes", "Glands", "axilla", "route:lymph"),
    "site:lung": ("Lung", "Lungs", "lungs", "route:blood"),
    "site:skin_chest_wall": (
        "Skin and chest wall",
        "Skin of the chest",
        "chest_wall",
        "route:local",
    ),
}
SYMPTOMS = {
    "sym:back_pain": ("Back pain", "pain in your back", "back_spine"),
    "sym:leg_weakness": ("Leg weakness", "weak legs", "nerves_limbs"),
    "sym:urinary_retention": ("Urinary retention", "trouble passing urine", "bladder_bowel"),
    "sym:jaundice": ("Jaundice", "yellow skin or eyes", "abdomen"),
    "sym:headache": ("Headache", "headache", "head_brain"),
    "sym:seizure": ("Seizure", "a fit", "head_brain"),
    "sym:fatigue": ("Fatigue", "feeling very tired", "general"),
}


def _records(model: Any, rows: list[dict[str, Any]]) -> MappingProxyType[str, Any]:
    return MappingProxyType({row["id"]: model.model_validate(row) for row in rows})


def make_knowledge() -> Knowledge:
    sites = [
        {"id": i, "label": lab, "plain_label": p, "body_map": r, "routes": [route], "sources": SRC}
        for i, (lab, p, r, route) in SITES.items()
    ]
    symptoms = [
        {"id": i, "label": lab, "plain_label": p, "body_area": a, "sources": SRC}
        for i, (lab, p, a) in SYMPTOMS.items()
    ]
    routes = [
        {
            "id": "route:local",
            "label": "Direct spread",
            "plain_explanation": "Grows nearby.",
            "reaches": ["site:skin_chest_wall"],
            "order": 0,
            "sources": SRC,
        },
        {
            "id": "route:lymph",
            "label": "Lymphatic",
            "plain_explanation": "Through lymph.",
            "reaches": ["site:lymph_nodes"],
            "order": 1,
            "sources": SRC,
        },
        {
            "id": "route:blood",
            "label": "Bloodstream",
            "plain_explanation": "Through blood.",
            "reaches": ["site:spine", "site:bone", "site:liver", "site:brain", "site:lung"],
            "order": 2,
            "sources": SRC,
        },
    ]
    flag = {
        "urgency": "emergency",
        "when": {"finding": "sym:back_pain"},
        "actions": ["Act."],
        "sources": SRC,
    }
    flags = [
        {
            **flag,
            "id": "flag:spinal_cord_compression",
            "label": "Spinal cord compression",
            "plain_label": "New weakness in your legs or trouble passing urine",
            "plain_actions": ["Go to the emergency department now"],
        },
        {
            **flag,
            "id": "flag:seizure",
            "label": "Seizure",
            "plain_label": "A fit or seizure",
            "plain_actions": ["Call for an ambulance"],
        },
        {
            **flag,
            "id": "flag:hepatic_visceral_crisis",
            "urgency": "urgent",
            "label": "Hepatic visceral crisis",
            "plain_label": "Yellow skin or eyes",
            "plain_actions": ["Call your care team today"],
        },
    ]
    workup = [
        {
            "id": "work:mri_whole_spine",
            "label": "MRI whole spine",
            "plain_label": "A scan of your back",
            "kind": "imaging",
            "sources": SRC,
        },
        {
            "id": "work:ct_cap",
            "label": "CT chest, abdomen, pelvis",
            "plain_label": "A body scan",
            "kind": "imaging",
            "sources": SRC,
        },
    ]
    tx = {
        "when": {"finding": "sym:back_pain"},
        "approval": {"status": "approved"},
        "regimen_class": "x",
        "intent": "control_and_extend_life",
        "sources": SRC,
    }
    treatments = [
        {
            **tx,
            "id": "tx:rt_spine",
            "label": "Radiotherapy to the spine",
            "modality": "radiotherapy",
            "plain_label": "Radiotherapy to the back",
            "intent": "emergency_relief",
        },
        {
            **tx,
            "id": "tx:ai_cdk46i",
            "label": "Aromatase inhibitor + CDK4/6 inhibitor",
            "plain_label": "Hormone pills with a growth-blocking pill",
            "modality": "hormonal_therapy",
        },
        {
            **tx,
            "id": "tx:dexamethasone",
            "label": "Dexamethasone 16 mg",
            "plain_label": "A steroid medicine",
            "modality": "supportive_medication",
            "intent": "symptom_relief",
        },
    ]
    network = Network.model_validate(
        {
            "thresholds": {
                "suspected_site": 0.3,
                "workup_site": 0.3,
                "treat_suspected_site": 0.6,
                "rationale": "Chosen for tests only.",
            },
            "subtypes": [],
            "settings": [],
            "priors": [],
            "links": [],
            "leaks": [],
        }
    )
    source = Source(
        id="src:nice",
        citation="NICE CG75. Metastatic spinal cord compression.",
        url="https://www.nice.org.uk/guidance/cg75",
        accessed="2026-11-25",
    )
    return Knowledge(
        meta=Meta(name="test", version="9.9.9", released="2026-11-25", description="tests"),
        hash="sha256:" + "ab" * 32,
        sources=MappingProxyType({source.id: source}),
        routes=_records(Route, routes),
        sites=_records(Site, sites),
        symptoms=_records(Symptom, symptoms),
        network=network,
        red_flags=_records(RedFlagRule, flags),
        workup=_records(Workup, workup),
        treatments=_records(Treatment, treatments),
    )


def make_assessment(
    probabilities: dict[str, float],
    *,
    flags: list[dict[str, Any]] = (),  # type: ignore[assignment]
    findings: list[dict[str, Any]] = (),  # type: ignore[assignment]
    workup: list[dict[str, Any]] = (),  # type: ignore[assignment]
    treatments: list[dict[str, Any]] = (),  # type: ignore[assignment]
    known: tuple[str, ...] = (),
) -> Assessment:
    knowledge = make_knowledge()
    sites = [
        {
            "id": ident,
            "probability": 1.0 if ident in known else p,
            "prior": 0.1,
            "label": knowledge.sites[ident].label,
            "plain_label": knowledge.sites[ident].plain_label,
            "route": knowledge.sites[ident].routes[0],
            "known": ident in known,
            "because": [
                {
                    "finding": f["id"],
                    "log_odds": 1.2 if f.get("present", True) else -0.4,
                    "present": f.get("present", True),
                }
                for f in findings
            ][:3]
            if p > 0.3
            else [],
        }
        for ident, p in sorted(probabilities.items(), key=lambda kv: -kv[1])
    ]
    return Assessment.model_validate(
        {
            "sites": sites,
            "red_flags": list(flags),
            "findings": list(findings),
            "workup": list(workup),
            "treatment_options": list(treatments),
            "provenance": {
                "knowledge_version": "9.9.9",
                "knowledge_hash": knowledge.hash,
                "algorithms": {"reason": "reason.noisy_or_exact.v1"},
            },
        }
    )


def cord_compression() -> Assessment:
    return make_assessment(
        {
            "site:spine": 0.91,
            "site:bone": 0.55,
            "site:liver": 0.04,
            "site:brain": 0.02,
            "site:lymph_nodes": 0.12,
            "site:lung": 0.05,
            "site:skin_chest_wall": 0.01,
        },
        flags=[
            {
                "id": "flag:spinal_cord_compression",
                "urgency": "emergency",
                "because": ["sym:back_pain", "sym:leg_weakness", "sym:urinary_retention"],
                "actions": ["Dexamethasone 16 mg now", "Whole-spine MRI within 24 hours"],
                "sources": ["src:nice"],
                "label": "Spinal cord compression",
                "plain_label": "Pressure on the spinal cord",
                "plain_actions": ["Go to the emergency department now", "Lie flat until seen"],
            }
        ],
        findings=[
            {"id": "sym:back_pain", "present": True, "source": "coded"},
            {
                "id": "sym:leg_weakness",
                "present": True,
                "source": "text",
                "text": "weak legs",
                "start": 10,
                "end": 19,
            },
            {"id": "sym:urinary_retention", "present": True, "source": "coded"},
        ],
        workup=[
            {
                "id": "work:mri_whole_spine",
                "urgency": "emergency",
                "for": ["site:spine"],
                "sources": ["src:nice"],
                "label": "MRI whole spine",
                "plain_label": "A scan of your whole back",
            },
            {
                "id": "work:ct_cap",
                "urgency": "soon",
                "for": ["site:bone"],
                "label": "CT chest, abdomen, pelvis",
                "plain_label": "A body scan",
            },
        ],
        treatments=[
            {
                "id": "tx:rt_spine",
                "modality": "radiotherapy",
                "intent": "emergency_relief",
                "sources": ["src:nice"],
                "label": "Radiotherapy to the spine",
                "plain_label": "Radiotherapy to the back",
                "for_sites": ["site:spine"],
                "suspected": True,
            },
            {
                "id": "tx:dexamethasone",
                "modality": "supportive_medication",
                "intent": "symptom_relief",
                "sources": ["src:nice"],
                "label": "Dexamethasone 16 mg",
                "plain_label": "A steroid medicine",
            },
            {
                "id": "tx:ai_cdk46i",
                "modality": "hormonal_therapy",
                "intent": "control_and_extend_life",
                "line": 1,
                "because": ["ER positive, HER2 negative"],
                "sources": ["src:nice"],
                "label": "Aromatase inhibitor + CDK4/6 inhibitor",
                "plain_label": "Hormone pills with a growth-blocking pill",
                "approval": "approved",
            },
        ],
    )


def negated_leg_weakness() -> Assessment:
    return make_assessment(
        {
            "site:spine": 0.62,
            "site:bone": 0.4,
            "site:liver": 0.03,
            "site:brain": 0.02,
            "site:lymph_nodes": 0.1,
            "site:lung": 0.04,
            "site:skin_chest_wall": 0.01,
        },
        findings=[
            {
                "id": "sym:back_pain",
                "present": True,
                "source": "text",
                "text": "severe back pain",
                "start": 0,
                "end": 16,
            },
            {
                "id": "sym:leg_weakness",
                "present": False,
                "source": "text",
                "text": "leg weakness",
                "start": 25,
                "end": 37,
                "qualifiers": {"negated": True},
                "triggers": [{"category": "negated", "text": "denies", "start": 18, "end": 24}],
            },
        ],
        workup=[
            {
                "id": "work:mri_whole_spine",
                "urgency": "soon",
                "for": ["site:spine"],
                "label": "MRI whole spine",
                "plain_label": "A scan of your whole back",
            }
        ],
    )


def liver_crisis() -> Assessment:
    return make_assessment(
        {
            "site:liver": 0.88,
            "site:spine": 0.1,
            "site:bone": 0.2,
            "site:brain": 0.02,
            "site:lymph_nodes": 0.35,
            "site:lung": 0.05,
            "site:skin_chest_wall": 0.01,
        },
        flags=[
            {
                "id": "flag:hepatic_visceral_crisis",
                "urgency": "urgent",
                "because": ["sym:jaundice"],
                "actions": ["Check bilirubin, ALT, AST today"],
                "label": "Hepatic visceral crisis",
                "plain_label": "Yellow skin or eyes",
                "plain_actions": ["Call your care team today"],
            }
        ],
        findings=[{"id": "sym:jaundice", "present": True, "source": "coded"}],
        workup=[
            {
                "id": "work:ct_cap",
                "urgency": "urgent",
                "for": ["site:liver"],
                "label": "CT chest, abdomen, pelvis",
                "plain_label": "A body scan",
            }
        ],
        treatments=[
            {
                "id": "tx:chemo",
                "modality": "chemotherapy",
                "intent": "control_and_extend_life",
                "label": "Weekly paclitaxel",
                "plain_label": "Chemotherapy once a week",
            }
        ],
    )


def brain_seizure() -> Assessment:
    return make_assessment(
        {
            "site:brain": 0.8,
            "site:spine": 0.05,
            "site:bone": 0.1,
            "site:liver": 0.05,
            "site:lymph_nodes": 0.1,
            "site:lung": 0.2,
            "site:skin_chest_wall": 0.01,
        },
        known=("site:bone",),
        flags=[
            {
                "id": "flag:seizure",
                "urgency": "emergency",
                "because": ["sym:seizure"],
                "actions": ["Protect airway"],
                "label": "Seizure",
                "plain_label": "A fit or seizure",
                "plain_actions": ["Call for an ambulance"],
            }
        ],
        findings=[
            {"id": "sym:seizure", "present": True, "source": "coded"},
            {"id": "sym:headache", "present": True, "source": "coded"},
        ],
    )


def quiet() -> Assessment:
    return make_assessment(
        {
            "site:brain": 0.02,
            "site:spine": 0.05,
            "site:bone": 0.1,
            "site:liver": 0.05,
            "site:lymph_nodes": 0.08,
            "site:lung": 0.04,
            "site:skin_chest_wall": 0.01,
        },
        findings=[{"id": "sym:fatigue", "present": True, "source": "coded"}],
    )


ASSESSMENTS = {
    "cord": cord_compression,
    "negated": negated_leg_weakness,
    "liver": liver_crisis,
    "brain": brain_seizure,
    "quiet": quiet,
}
