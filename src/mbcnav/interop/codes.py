"""Terminology the FHIR mapping reads: code → mbcnav id. Data only; no decisions here.

Site codes come first from the knowledge base (``sites[].codes``); the tables below hold the
codes confirmed in the team's reference (clinical-facts.md §8, ecosystem.md §2) so that the
mapping works with any knowledge version. ICD-10-CM codes match by longest prefix (``C78.0``
covers C78.00–C78.02).
"""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

# SNOMED CT "metastatic malignant neoplasm to …" (clinical-facts.md §8.2, marks P)
SNOMED_SECONDARY_SITES: dict[str, str] = {
    "94222008": "site:bone",
    "94225005": "site:brain",
    "94381002": "site:liver",
    "94391008": "site:lung",
    "94493005": "site:pleura",
    "94161006": "site:adrenal",
    "94181007": "site:lymph_nodes",
}
SNOMED_SECONDARY_GENERIC = "128462008"

# ICD-10-CM C77–C79 (clinical-facts.md §8.1)
ICD10_SECONDARY_SITES: dict[str, str] = {
    "C77": "site:lymph_nodes",
    "C78.0": "site:lung",
    "C78.2": "site:pleura",
    "C78.4": "site:gi_tract",
    "C78.5": "site:gi_tract",
    "C78.6": "site:peritoneum",
    "C78.7": "site:liver",
    "C79.2": "site:skin_chest_wall",
    "C79.31": "site:brain",
    "C79.32": "site:leptomeninges",
    "C79.51": "site:bone",
    "C79.52": "site:bone_marrow",
    "C79.7": "site:adrenal",
}
ICD10_SECONDARY_PREFIXES = ("C77", "C78", "C79")
ICD10_PRIMARY_BREAST = "C50"
SNOMED_PRIMARY_BREAST = frozenset({"254837009", "372137005", "408643008", "353431000119107"})

# LOINC tumour marker tests (clinical-facts.md §8.3)
RECEPTOR_LOINC: dict[str, str] = {
    "85337-4": "er",
    "16112-5": "er",
    "40556-3": "er",
    "85339-0": "pr",
    "16113-3": "pr",
    "40557-1": "pr",
    "48676-1": "her2",
    "85319-2": "her2",
    "85318-4": "her2",
    "18474-7": "her2",
}
POSITIVE_CODES = frozenset({"LA6576-8", "10828004"})
NEGATIVE_CODES = frozenset({"LA6577-6", "260385009"})
POSITIVE_WORDS = frozenset({"positive", "pos", "+", "detected", "present"})
NEGATIVE_WORDS = frozenset({"negative", "neg", "-", "not detected", "absent"})

# LOINC laboratory codes → Labs field by unit (lower-case UCUM or display unit). 17861-6 and
# 2000-8 are total calcium (mass / moles), 29265-6 albumin-corrected calcium (moles); 1975-2,
# 14631-6 and 42719-5 total bilirubin. Confirmed against public value sets (eCQM, lab maps).
LAB_LOINC: dict[str, dict[str, str]] = {
    "17861-6": {"mg/dl": "calcium_mg_dl", "mmol/l": "calcium_corrected_mmol_l"},
    "2000-8": {"mmol/l": "calcium_corrected_mmol_l", "mg/dl": "calcium_mg_dl"},
    "29265-6": {"mg/dl": "calcium_mg_dl", "mmol/l": "calcium_corrected_mmol_l"},
    "1975-2": {"mg/dl": "bilirubin_mg_dl", "umol/l": "bilirubin_umol_l"},
    "14631-6": {"umol/l": "bilirubin_umol_l", "mg/dl": "bilirubin_mg_dl"},
    "42719-5": {"mg/dl": "bilirubin_mg_dl", "umol/l": "bilirubin_umol_l"},
}

# Red flag → SNOMED CT concept, for DetectedIssue.code next to urn:mbcnav:flag. Only codes whose
# fully specified name was seen with the code in public FHIR artefacts (IG value sets, FSH
# instances) are listed. Left out as unverified: spinal cord compression (71444005, sometimes
# suggested, is "Cerebral thrombosis"), cardiac tamponade, leptomeningeal disease, respiratory
# compromise, hepatic visceral crisis, suspected spinal metastasis.
FLAG_SNOMED: dict[str, tuple[str, str]] = {
    "flag:hypercalcaemia": ("66931009", "Hypercalcemia (disorder)"),
    "flag:seizure": ("91175000", "Seizure (finding)"),
    "flag:pathological_fracture": ("268029009", "Pathological fracture (disorder)"),
    "flag:raised_intracranial_pressure": ("271719001", "Increased intracranial pressure"),
    "flag:svc_obstruction": ("63363004", "Superior vena cava syndrome (disorder)"),
}

DISEASE_STATUS_LOINC = "97509-4"
STAGE_GROUP_LOINC = frozenset({"21908-9", "21902-2"})
STAGE_IV_CODES = frozenset({"4", "IV", "4A", "4B", "IVA", "IVB"})

PROFILE_PREFIX = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
# current name → older names seen in real data (STU1/STU2), matched leniently
PROFILE_ALIASES: dict[str, tuple[str, ...]] = {
    "mcode-primary-cancer-condition": ("onco-core-PrimaryCancerCondition",),
    "mcode-secondary-cancer-condition": ("onco-core-SecondaryCancerCondition",),
    "mcode-tumor-marker-test": ("mcode-tumor-marker", "onco-core-TumorMarker"),
    "mcode-cancer-disease-status": ("onco-core-CancerDiseaseStatus",),
}

__all__ = [
    "DISEASE_STATUS_LOINC",
    "FLAG_SNOMED",
    "ICD10CM",
    "ICD10_PRIMARY_BREAST",
    "ICD10_SECONDARY_PREFIXES",
    "ICD10_SECONDARY_SITES",
    "LAB_LOINC",
    "LOINC",
    "NEGATIVE_CODES",
    "NEGATIVE_WORDS",
    "POSITIVE_CODES",
    "POSITIVE_WORDS",
    "PROFILE_ALIASES",
    "PROFILE_PREFIX",
    "PRO_CTCAE_ITEMS",
    "RECEPTOR_LOINC",
    "SNOMED",
    "SNOMED_PRIMARY_BREAST",
    "SNOMED_SECONDARY_GENERIC",
    "SNOMED_SECONDARY_SITES",
    "STAGE_GROUP_LOINC",
    "STAGE_IV_CODES",
]

# PRO-CTCAE item library v1.0 adverse-event numbers → English item names (NCI; as published in
# the MII PRO CodeSystem ``mii-cs-pro-pro-ctcae``). Names are matched against the knowledge
# base's symptom terms, so no symptom id is fixed here.
PRO_CTCAE_ITEMS: dict[str, str] = {
    "02": "difficulty swallowing",
    "05": "voice quality changes",
    "06": "hoarseness",
    "08": "decreased appetite",
    "09": "nausea",
    "10": "vomiting",
    "14": "hiccups",
    "15": "constipation",
    "17": "pain in abdomen",
    "18": "fecal incontinence",
    "19": "shortness of breath",
    "20": "cough",
    "22": "arm or leg swelling",
    "23": "pounding or racing heartbeat",
    "39": "numbness and tingling",
    "40": "dizziness",
    "41": "blurred vision",
    "42": "flashing lights",
    "46": "concentration",
    "47": "memory",
    "48": "general pain",
    "49": "headache",
    "50": "muscle pain",
    "51": "joint pain",
    "53": "fatigue",
    "65": "urinary incontinence",
}
