"""Medication history → ``Patient.prior_therapies``. Terminology tables and their mapping only.

A chart lists drugs (MedicationStatement, MedicationRequest, MedicationAdministration), not
regimens; mbcnav's prior-therapy ids (knowledge ``prior_therapies.yaml`` and treatment rows)
name regimens. The tables below go drug → drug class → id, in the setting the drug was given:

- a drug is named by an ATC code (WHO ATC index; confirmed against an OMOP ATC→RxNorm
  breast-cancer drug list), an ATC class prefix (L02BG aromatase inhibitors, L01EF CDK4/6
  inhibitors, L01CD taxanes, L01DB anthracyclines), or its ingredient name in any coding's
  display, the concept's text or the Medication's code. RxNorm names always contain the
  ingredient, so RxNorm product codes (``abemaciclib Oral Product``) are read by name; RxNorm
  code numbers are not listed (none verified here);
- the setting is ``early`` when the drug started before the first sign of metastatic disease
  in the chart (a secondary-cancer Condition's onset or record date, a stage IV result), else
  ``metastatic`` when the chart shows metastatic disease, else ``early``; where a date is
  missing and the setting would change the id, the chart card says which drugs were taken as
  metastatic (an adjuvant taxane so read withholds first-line chemo-immunotherapy);
- a CDK4/6 inhibitor with an aromatase inhibitor or fulvestrant anywhere in the history also
  names the combined regimen, so no first-line CDK4/6 row is offered again.

A recognised cancer drug with no id in its setting (adjuvant olaparib, lapatinib) is reported as
not used, so the clinician sees the limit; other drugs (antiemetics, analgesics) are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ATC_SYSTEM = "http://www.whocc.no/atc"

# ingredient name (lower case, as RxNorm and most EHRs spell it) → drug class
DRUG_CLASSES: dict[str, str] = {
    "anastrozole": "aromatase_inhibitor",
    "letrozole": "aromatase_inhibitor",
    "exemestane": "aromatase_inhibitor",
    "tamoxifen": "serm",
    "toremifene": "serm",
    "fulvestrant": "fulvestrant",
    "palbociclib": "cdk46i",
    "ribociclib": "cdk46i",
    "abemaciclib": "cdk46i",
    "alpelisib": "alpelisib",
    "capivasertib": "capivasertib",
    "inavolisib": "inavolisib",
    "everolimus": "everolimus",
    "elacestrant": "elacestrant",
    "imlunestrant": "imlunestrant",
    "vepdegestrant": "vepdegestrant",
    "camizestrant": "camizestrant",
    "paclitaxel": "taxane",
    "docetaxel": "taxane",
    "doxorubicin": "anthracycline",
    "epirubicin": "anthracycline",
    "cyclophosphamide": "chemotherapy",
    "capecitabine": "chemotherapy",
    "gemcitabine": "chemotherapy",
    "eribulin": "chemotherapy",
    "vinorelbine": "chemotherapy",
    "carboplatin": "chemotherapy",
    "cisplatin": "chemotherapy",
    "fluorouracil": "chemotherapy",
    "methotrexate": "chemotherapy",
    "trastuzumab": "her2_antibody",
    "pertuzumab": "her2_antibody",
    "trastuzumab deruxtecan": "t_dxd",
    "trastuzumab emtansine": "t_dm1",
    "tucatinib": "tucatinib",
    "lapatinib": "her2_tki",
    "neratinib": "her2_tki",
    "sacituzumab govitecan": "sacituzumab",
    "datopotamab deruxtecan": "dato_dxd",
    "pembrolizumab": "pembrolizumab",
    "olaparib": "parp_inhibitor",
    "talazoparib": "parp_inhibitor",
    "denosumab": "denosumab",
    "zoledronic acid": "bisphosphonate",
    "pamidronate": "bisphosphonate",
    "ibandronate": "bisphosphonate",
    "leuprolide": "ovarian_suppression",
    "leuprorelin": "ovarian_suppression",
    "goserelin": "ovarian_suppression",
    "triptorelin": "ovarian_suppression",
}

# ATC code → ingredient name (the confirmed breast-cancer list)
ATC_DRUGS: dict[str, str] = {
    "L01FD01": "trastuzumab",
    "L01FD02": "pertuzumab",
    "L01FD03": "trastuzumab emtansine",
    "L01FD04": "trastuzumab deruxtecan",
    "L01EH01": "lapatinib",
    "L01EH02": "neratinib",
    "L01EH03": "tucatinib",
    "L01CD01": "paclitaxel",
    "L01CD02": "docetaxel",
    "L01DB01": "doxorubicin",
    "L01AA01": "cyclophosphamide",
    "L01BC06": "capecitabine",
    "L02BA01": "tamoxifen",
    "L02BA03": "fulvestrant",
    "L02BG03": "anastrozole",
    "L02BG04": "letrozole",
    "L02BG06": "exemestane",
    "L01EM03": "alpelisib",
    "L01EF01": "palbociclib",
    "L01EF02": "ribociclib",
    "L01EF03": "abemaciclib",
}
# ATC class prefix → drug class, for members not listed above
ATC_CLASSES: dict[str, str] = {
    "L02BG": "aromatase_inhibitor",
    "L01EF": "cdk46i",
    "L01CD": "taxane",
    "L01DB": "anthracycline",
}
ATC_ANTINEOPLASTIC = ("L01", "L02")

# drug class → (id when given for metastatic disease, id when given for early disease);
# None: no prior-therapy id in that setting (reported, not silently dropped)
CLASS_THERAPIES: dict[str, tuple[str | None, str | None]] = {
    "aromatase_inhibitor": ("tx:prior_et_metastatic", "tx:adjuvant_ai"),
    "serm": ("tx:prior_et_metastatic", "tx:adjuvant_tamoxifen"),
    "fulvestrant": ("tx:prior_et_metastatic", "tx:prior_et_metastatic"),
    "cdk46i": ("tx:cdk46i", "tx:cdk46i"),
    "alpelisib": ("tx:alpelisib_fulvestrant", "tx:alpelisib_fulvestrant"),
    "capivasertib": ("tx:capivasertib_fulvestrant", "tx:capivasertib_fulvestrant"),
    "inavolisib": (
        "tx:inavolisib_palbociclib_fulvestrant",
        "tx:inavolisib_palbociclib_fulvestrant",
    ),
    "everolimus": ("tx:everolimus_et", "tx:everolimus_et"),
    "elacestrant": ("tx:elacestrant", "tx:elacestrant"),
    "imlunestrant": ("tx:imlunestrant", "tx:imlunestrant"),
    "vepdegestrant": ("tx:vepdegestrant", "tx:vepdegestrant"),
    "camizestrant": ("tx:camizestrant_switch", "tx:camizestrant_switch"),
    "taxane": ("tx:prior_taxane_metastatic", "tx:adjuvant_anthracycline_taxane"),
    "anthracycline": ("tx:chemotherapy", "tx:adjuvant_anthracycline_taxane"),
    "chemotherapy": ("tx:chemotherapy", None),
    "her2_antibody": ("tx:thp", "tx:adjuvant_trastuzumab"),
    "t_dxd": ("tx:prior_t_dxd", "tx:prior_t_dxd"),
    "t_dm1": ("tx:t_dm1", "tx:t_dm1"),
    "tucatinib": (
        "tx:tucatinib_trastuzumab_capecitabine",
        "tx:tucatinib_trastuzumab_capecitabine",
    ),
    "her2_tki": (None, None),
    "sacituzumab": ("tx:sacituzumab_govitecan", "tx:sacituzumab_govitecan"),
    "dato_dxd": ("tx:dato_dxd", "tx:dato_dxd"),
    "pembrolizumab": ("tx:pembrolizumab_chemo", "tx:perioperative_pd1_inhibitor"),
    "parp_inhibitor": ("tx:parp_inhibitor", None),
    "denosumab": ("tx:denosumab", None),
    "bisphosphonate": ("tx:bisphosphonate_iv", None),
    "ovarian_suppression": (None, None),
}
# classes whose missing id is not worth a word (they change no option of the table)
QUIET_CLASSES = frozenset({"ovarian_suppression", "denosumab", "bisphosphonate"})

# a CDK4/6 inhibitor together with a partner names the combined first-line regimen
COMBINATIONS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"cdk46i", "aromatase_inhibitor"}), "tx:ai_cdk46i"),
    (frozenset({"cdk46i", "fulvestrant"}), "tx:fulvestrant_cdk46i"),
)
# an id made redundant (and mislabelled) by a combination: "endocrine therapy alone"
ALONE = "tx:prior_et_metastatic"

_NAMES = sorted(DRUG_CLASSES, key=len, reverse=True)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(name) for name in _NAMES) + r")\b")


@dataclass(frozen=True)
class Drug:
    """One medication record as read from the chart."""

    name: str
    drug_class: str
    started: str
    kind: str


def drug_names(text: str) -> list[str]:
    """Ingredient names in a display or text, longest first and each span once
    ("trastuzumab deruxtecan" is not also "trastuzumab"); brand-free, lower case."""
    lowered = re.sub(r"[\s\-]+", " ", text.lower())
    lowered = lowered.replace("ado trastuzumab", "trastuzumab").replace(
        "fam trastuzumab", "trastuzumab"
    )
    return list(dict.fromkeys(match.group(1) for match in _PATTERN.finditer(lowered)))


def atc_class(code: str) -> tuple[str | None, str | None]:
    """(ingredient name or None, drug class or None) for an ATC code."""
    code = code.strip().upper()
    name = ATC_DRUGS.get(code)
    if name is not None:
        return name, DRUG_CLASSES[name]
    for prefix, drug_class in ATC_CLASSES.items():
        if code.startswith(prefix):
            return None, drug_class
    return None, None


def is_antineoplastic_atc(code: str) -> bool:
    return code.strip().upper().startswith(ATC_ANTINEOPLASTIC)


def prior_therapies(
    drugs: Iterable[Drug], *, metastatic: bool, metastatic_since: str | None
) -> tuple[list[str], list[str]]:
    """(prior-therapy ids, drugs not used) for the chart's drugs; see the module docstring."""
    found: list[str] = []
    unused: list[str] = []
    undated: list[str] = []
    classes: set[str] = set()
    for drug in drugs:
        classes.add(drug.drug_class)
        setting = _setting(drug.started, metastatic=metastatic, since=metastatic_since)
        metastatic_id, early_id = CLASS_THERAPIES[drug.drug_class]
        dated = bool(drug.started and metastatic_since)
        if (
            metastatic
            and not dated
            and metastatic_id != early_id
            and drug.drug_class not in QUIET_CLASSES
        ):
            undated.append(drug.name)
        ident = metastatic_id if setting == "metastatic" else early_id
        if ident is not None:
            found.append(ident)
        elif drug.drug_class not in QUIET_CLASSES:
            unused.append(f"{drug.kind} {drug.name} ({setting} disease: no prior-therapy id)")
    if undated:
        names = ", ".join(dict.fromkeys(undated))
        unused.append(
            f"medication dates: no start or no metastasis date in the chart, so {names} "
            "counted as given for metastatic disease"
        )
    combined = [ident for members, ident in COMBINATIONS if members <= classes]
    ids = list(dict.fromkeys([*combined, *found]))
    if combined:
        ids = [ident for ident in ids if ident != ALONE]
    return ids, list(dict.fromkeys(unused))


def _setting(started: str, *, metastatic: bool, since: str | None) -> str:
    if not metastatic:
        return "early"
    if since and started and started[:10] < since[:10]:
        return "early"
    return "metastatic"


__all__ = [
    "ATC_CLASSES",
    "ATC_DRUGS",
    "ATC_SYSTEM",
    "CLASS_THERAPIES",
    "COMBINATIONS",
    "DRUG_CLASSES",
    "Drug",
    "atc_class",
    "drug_names",
    "is_antineoplastic_atc",
    "prior_therapies",
]
