"""Ids the public contract promises (MBC-E207): required sites, flags and modalities."""

from __future__ import annotations

from collections.abc import Iterable

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.types import MODALITIES

REQUIRED_SITES = (
    "site:lymph_nodes",
    "site:skin_chest_wall",
    "site:lung",
    "site:pleura",
    "site:liver",
    "site:bone",
    "site:spine",
    "site:brain",
    "site:leptomeninges",
    "site:peritoneum",
    "site:gi_tract",
    "site:ovary",
    "site:eye_orbit",
    "site:adrenal",
)
REQUIRED_FLAGS = (
    "flag:spinal_cord_compression",
    "flag:suspected_spinal_metastasis",
    "flag:hypercalcaemia",
    "flag:raised_intracranial_pressure",
    "flag:seizure",
    "flag:respiratory_compromise",
    "flag:pathological_fracture",
    "flag:hepatic_visceral_crisis",
    "flag:svc_obstruction",
    "flag:cardiac_tamponade",
    "flag:leptomeningeal_disease",
)


def check_required(records: Records) -> list[Problem]:
    problems = _missing("sites.yaml", REQUIRED_SITES, records.ids("sites"))
    if records.red_flags or records.declared.get("red_flags"):
        problems += _missing("red_flags.yaml", REQUIRED_FLAGS, records.ids("red_flags"))
    if records.treatments:
        used = {tx.modality for tx in records.treatments}
        problems += [
            Problem(
                "MBC-E207",
                "treatments.yaml",
                modality,
                "modality",
                f"The modality {modality} must have at least one treatment option",
            )
            for modality in MODALITIES
            if modality not in used
        ]
    problems += [
        Problem(
            "MBC-E207",
            "symptoms.yaml",
            symptom.id,
            "derive_from",
            "A symptom of kind 'lab' needs a derive_from condition over labs",
        )
        for symptom in records.symptoms
        if symptom.kind == "lab" and symptom.derive_from is None
    ]
    return problems


def _missing(file: str, required: Iterable[str], present: frozenset[str]) -> list[Problem]:
    return [
        Problem("MBC-E207", file, ident, "id", f"{ident} is required by CONTRACTS.md")
        for ident in required
        if ident not in present
    ]
