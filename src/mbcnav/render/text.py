"""Words shared by every renderer: labels for ids, urgencies, modalities and intents.

These are presentation words, not clinical rules: which flag, site or option applies is
decided by the engine from the knowledge base; this module only names things for people.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from mbcnav.knowledge import Knowledge
from mbcnav.reason.network import MENTION_PREFIX, NEGATION_PREFIX
from mbcnav.types import URGENCY_ORDER, Assessment, Modality

URGENCY_LABEL: Mapping[str, str] = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "soon": "Soon",
    "routine": "Routine",
}
URGENCY_WHEN: Mapping[str, str] = {
    "emergency": "act now, same day",
    "urgent": "within 24 hours",
    "soon": "within about 1–2 weeks",
    "routine": "at the next planned visit",
}
URGENCY_PLAIN: Mapping[str, str] = {
    "emergency": "today, do not wait",
    "urgent": "within a day",
    "soon": "in the next week or two",
    "routine": "at a planned visit",
}
MODALITY_LABEL: Mapping[Modality, str] = {
    "chemotherapy": "Chemotherapy",
    "radiotherapy": "Radiotherapy",
    "hormonal_therapy": "Hormonal therapy",
    "targeted_therapy": "Targeted therapy",
    "immunotherapy": "Immunotherapy",
    "surgery": "Surgery",
    "supportive_medication": "Supportive medication",
}
INTENT_LABEL: Mapping[str, str] = {
    "control_and_extend_life": "Control disease, extend life",
    "symptom_relief": "Relieve symptoms",
    "prevent_complications": "Prevent complications",
    "local_control": "Local control",
    "emergency_relief": "Emergency relief",
}
QUALIFIER_LABEL: Mapping[str, str] = {
    "negated": "negated",
    "historical": "history",
    "hypothetical": "hypothetical",
    "family": "family history",
    "uncertain": "uncertain",
}
# The network's virtual findings about a site named in the text (``mention:site:liver``):
# (clinician's label, patient's words), filled with the site's own label or plain label. The
# negation column is "a report shows disease here" observed absent, so its label already says
# what was observed and is never marked "(absent)".
VIRTUAL_LABEL: Mapping[str, tuple[str, str]] = {
    MENTION_PREFIX: (
        "Named as suspected in the text: {site}",
        "a report that says it may be there",
    ),
    NEGATION_PREFIX: (
        "Stated absent in the text: {site}",
        "a report that says it is clear",
    ),
}
SUBTYPE_LABEL: Mapping[str, str] = {
    "hr_pos_her2_neg": "HR+/HER2−",
    "hr_pos_her2_pos": "HR+/HER2+",
    "hr_neg_her2_pos": "HR−/HER2+",
    "triple_negative": "triple negative",
}
KEY_LABEL: Mapping[str, str] = {
    "subtype": "subtype",
    "her2": "HER2",
    "er": "ER",
    "pr": "PR",
    "esr1": "ESR1",
    "pik3ca_akt1_pten": "PIK3CA/AKT1/PTEN",
    "pik3ca": "PIK3CA",
    "akt1": "AKT1",
    "pten": "PTEN",
    "menopausal_status": "menopausal status",
    "gbrca": "gBRCA",
    "pd_l1_cps": "PD-L1 CPS",
    "setting": "setting",
}
# Lab values the rules compare (``knowledge.schema.LabName``) as people write them: name, unit.
LAB_LABEL: Mapping[str, tuple[str, str]] = {
    "calcium_corrected_mmol_l": ("Corrected calcium", "mmol/L"),
    "bilirubin_umol_l": ("Bilirubin", "µmol/L"),
    "bilirubin_x_uln": ("Bilirubin", "× upper limit of normal"),
    "alp_u_l": ("ALP", "U/L"),
    "alt_u_l": ("ALT", "U/L"),
    "ast_u_l": ("AST", "U/L"),
    "albumin_g_l": ("Albumin", "g/L"),
    "sodium_mmol_l": ("Sodium", "mmol/L"),
    "haemoglobin_g_l": ("Haemoglobin", "g/L"),
    "platelets_10e9_l": ("Platelets", "× 10⁹/L"),
    "neutrophils_10e9_l": ("Neutrophils", "× 10⁹/L"),
    "ferritin_ug_l": ("Ferritin", "µg/L"),
    "spo2_percent": ("Oxygen saturation", "%"),
    "respiratory_rate_per_min": ("Respiratory rate", "/min"),
    "heart_rate_per_min": ("Heart rate", "/min"),
    "systolic_bp_mmhg": ("Systolic blood pressure", "mmHg"),
    "diastolic_bp_mmhg": ("Diastolic blood pressure", "mmHg"),
    "temperature_c": ("Temperature", "°C"),
    "inr": ("INR", "(ratio)"),
    "gcs": ("Glasgow Coma Scale", "/15"),
    "calcium_ionised_mmol_l": ("Ionised calcium", "mmol/L"),
    "pd_l1_cps": ("PD-L1 CPS", ""),
}
COMPARE_WORD: Mapping[str, str] = {">": "above", ">=": "at least", "<": "below", "<=": "at most"}
_ID = re.compile(r"\b(?:sym|site|flag|tx|work|route|src):[a-z0-9_]+")
_BOUND = r"(?:>=|<=|>|<)-?[0-9][0-9.e+-]*"
# ``name=value`` as the rules write a matched fact, with the rule's bounds when it compared a
# number: ``bilirubin_umol_l=48 (>31.5)``.
_PAIR = re.compile(
    r"\b([a-z0-9_]+)=([A-Za-z0-9_.+-]+)(?: \((" + _BOUND + r"(?: and " + _BOUND + r")*)\))?"
)
_SPLIT_BOUND = re.compile(r"(>=|<=|>|<)(.+)")
_TRANSLIT = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "≥": ">=",
    "≤": "<=",
    "→": "->",
    "×": "x",
    "•": "-",
    "\u00a0": " ",
    "−": "-",
}


CONFIRM_FIRST = "Treatment is considered once the spread is confirmed: first {tests}."
PLAIN_CONFIRM_FIRST = (
    "Treatment is planned once tests show where the cancer has spread. "
    "The tests come first: {tests}."
)


def confirming_tests(assessment: Assessment, plain: bool = False) -> tuple[str, ...]:
    """The tests that would confirm what the options of ``after_confirmation`` wait for, each
    once: those the workup already orders, most urgent first, then the rest in the order the
    options name them. Clinicians get the head of each label ("Whole-spine MRI")."""
    urgency = {item.id: URGENCY_ORDER.index(item.urgency) for item in assessment.workup}
    tests = {
        test.id: test for option in assessment.after_confirmation for test in option.confirm_with
    }
    ranked = sorted(tests, key=lambda ident: urgency.get(ident, len(URGENCY_ORDER)))
    names = (
        (tests[ident].plain_label if plain else tests[ident].label.split(" (", 1)[0])
        or humanize(ident)
        for ident in ranked
    )
    return tuple(dict.fromkeys(names))


def confirm_first(assessment: Assessment, plain: bool = False) -> str | None:
    """The sentence every renderer puts before the options that wait for confirmation, or None
    when nothing waits."""
    if not assessment.after_confirmation:
        return None
    tests = confirming_tests(assessment, plain)
    if not tests:
        tests = ("the tests your team chooses",) if plain else ("imaging or a biopsy",)
    template = PLAIN_CONFIRM_FIRST if plain else CONFIRM_FIRST
    return template.format(tests="; ".join(tests))


def slug(ident: str) -> str:
    """``site:spine`` → ``spine``: the part of an id that is safe in HTML ids."""
    return ident.split(":", 1)[-1]


def humanize(ident: str) -> str:
    """A readable fallback when the knowledge base does not name an id."""
    text = slug(ident).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def percent(probability: float) -> str:
    """Probabilities as whole percent; tiny values are not rounded to a reassuring zero."""
    if 0 < probability < 0.01:
        return "<1%"
    if 0.99 < probability < 1:
        return ">99%"
    return f"{round(probability * 100)}%"


def urgency_rank(urgency: str) -> int:
    """Sort key: emergency first, unknown words last."""
    order: tuple[str, ...] = URGENCY_ORDER
    return order.index(urgency) if urgency in order else len(order)


def _record(knowledge: Knowledge | None, ident: str) -> object | None:
    if knowledge is None:
        return None
    tables: tuple[Mapping[str, object], ...] = (
        knowledge.symptoms,
        knowledge.sites,
        knowledge.red_flags,
        knowledge.workup,
        knowledge.treatments,
        knowledge.routes,
    )
    for table in tables:
        if ident in table:
            return table[ident]
    return None


def _virtual(knowledge: Knowledge | None, ident: str, plain: bool) -> str | None:
    """The label of a virtual site-mention finding, or None for any other id."""
    prefix, _, site = ident.partition(":")
    if prefix not in VIRTUAL_LABEL or not site.startswith("site:"):
        return None
    template = VIRTUAL_LABEL[prefix][1 if plain else 0]
    name = plain_label_of(knowledge, site) if plain else short(label_of(knowledge, site))
    return template.format(site=name)


def label_of(knowledge: Knowledge | None, ident: str) -> str:
    """The clinician's label of any knowledge id, or a readable fallback."""
    label = getattr(_record(knowledge, ident), "label", None) or _virtual(knowledge, ident, False)
    return str(label) if label else humanize(ident)


def reason_label(knowledge: Knowledge | None, finding: str, present: bool) -> str:
    """A finding as a reason for a site's probability: its label, marked when absent (a
    negation column's label already says what was observed)."""
    label = label_of(knowledge, finding)
    if present or finding.partition(":")[0] == NEGATION_PREFIX:
        return label
    return f"{label} (absent)"


def plain_label_of(knowledge: Knowledge | None, ident: str) -> str:
    """The patient's words for any knowledge id, falling back to the clinical label."""
    virtual = _virtual(knowledge, ident, True)
    if virtual is not None:
        return virtual
    record = _record(knowledge, ident)
    plain = getattr(record, "plain_label", None) or getattr(record, "label", None)
    return str(plain) if plain else humanize(ident).lower()


def short(label: str, limit: int = 40) -> str:
    """A label that fits a box or a list: no 'incl.' tail, no parenthesis when too long."""
    for cut in (", incl.", " (incl."):
        label = label.split(cut)[0]
    if len(label) > limit:
        label = label.split(" (")[0].split(", ")[0]
    return label


def _bounds(text: str) -> str:
    """``>2.6 and <=3.4`` → ``above 2.6 and at most 3.4``."""
    words = []
    for bound in text.split(" and "):
        found = _SPLIT_BOUND.fullmatch(bound)
        words.append(f"{COMPARE_WORD[found.group(1)]} {found.group(2)}" if found else bound)
    return " and ".join(words)


def fact_words(key: str, value: str, bounds: str | None = None) -> str:
    """One matched fact in words: ``Bilirubin 48 µmol/L (above 31.5)``, ``ER positive``."""
    if key in LAB_LABEL:
        name, unit = LAB_LABEL[key]
        text = f"{name} {value} {unit}".rstrip()
    else:
        shown = SUBTYPE_LABEL.get(value, value.replace("_", " "))
        text = f"{KEY_LABEL.get(key, key.replace('_', ' '))} {shown}"
    return f"{text} ({_bounds(bounds)})" if bounds else text


def readable(knowledge: Knowledge | None, reason: str) -> str:
    """Engine reasons such as ``site:spine (suspected); subtype=hr_pos_her2_neg`` or
    ``bilirubin_umol_l=48 (>31.5)`` in words, never a field name."""
    reason = _ID.sub(lambda m: short(label_of(knowledge, m.group(0))), reason)
    return _PAIR.sub(lambda m: fact_words(m.group(1), m.group(2), m.group(3)), reason)


def source_citation(knowledge: Knowledge | None, ident: str) -> tuple[str, str | None]:
    """(citation, url) of a source id; the id itself when the knowledge does not list it."""
    if knowledge is None or ident not in knowledge.sources:
        return ident, None
    source = knowledge.sources[ident]
    return source.citation, source.url


def latin1(text: str) -> str:
    """Transliterate to latin-1 for the PDF's core fonts, never dropping a word silently."""
    text = "".join(_TRANSLIT.get(char, char) for char in text)
    out: list[str] = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore")
            out.append(decomposed.decode("latin-1") or "?")
    return "".join(out)
