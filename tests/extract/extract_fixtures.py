"""A tiny knowledge base of our own, so extract tests do not depend on the clinical YAML."""

from __future__ import annotations

from types import MappingProxyType

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.schema import Lexicon, Meta, Network, Site, Symptom

SYMPTOMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sym:back_pain": {
        "clinical": ("back pain", "mid-back pain", "thoracic back pain"),
        "lay": ("bad back", "pain in my back", "my back hurts"),
    },
    "sym:leg_weakness": {
        "clinical": ("leg weakness", "lower extremity weakness"),
        "lay": ("weak legs", "legs feel weak"),
    },
    "sym:chest_pain": {"clinical": ("chest pain",), "lay": ("pain in my chest",)},
    "sym:fever": {"clinical": ("fever", "pyrexia"), "lay": ("temperature",)},
    "sym:clubbing": {"clinical": ("clubbing",)},
    "sym:cyanosis": {"clinical": ("cyanosis",)},
    "sym:edema": {"clinical": ("edema", "oedema"), "lay": ("swollen ankles",)},
    "sym:jaundice": {
        "clinical": ("jaundice", "icterus"),
        "lay": ("yellow eyes", "eyes look yellow"),
    },
    "sym:dyspnoea": {
        "clinical": ("dyspnea", "shortness of breath"),
        "abbreviations": ("SOB",),
        "lay": ("breathless", "short of breath"),
    },
    "sym:nausea": {"clinical": ("nausea",), "abbreviations": ("N/V",)},
    "sym:headache": {"clinical": ("headache", "headaches"), "misspellings": ("headach",)},
    "sym:pain": {"clinical": ("pain",)},
    "sym:abdominal_swelling": {
        "clinical": ("abdominal distension",),
        "lay": ("tummy feels swollen", "swollen tummy"),
    },
}
SITES: dict[str, tuple[str, ...]] = {
    "site:liver": (
        "liver metastases",
        "metastases to the liver",
        "hepatic metastases",
        "liver mets",
    ),
    "site:bone": (
        "osseous metastasis",
        "osseous metastases",
        "bone metastases",
        "lytic lesion",
        "lytic lesions",
    ),
    "site:brain": ("brain metastases", "brain metastasis"),
    "site:pleura": ("malignant pleural effusion",),
    "site:leptomeninges": ("leptomeningeal enhancement",),
    "site:spine": ("spinal metastases", "vertebral metastases"),
}


def make_knowledge(
    symptoms: dict[str, dict[str, tuple[str, ...]]] = SYMPTOMS,
    sites: dict[str, tuple[str, ...]] = SITES,
    tag: str = "tiny",
) -> Knowledge:
    syms = {
        sid: Symptom(
            id=sid,
            label=sid.split(":")[1].replace("_", " "),
            plain_label=sid,
            body_area="general",
            terms=Lexicon(**terms),
            sources=("src:test",),
        )
        for sid, terms in symptoms.items()
    }
    site_map = {
        sid: Site(
            id=sid,
            label=sid,
            plain_label=sid,
            body_map="liver",
            routes=("route:test",),
            terms=Lexicon(clinical=terms),
            sources=("src:test",),
        )
        for sid, terms in sites.items()
    }
    return Knowledge(
        meta=Meta(name="test", version="0.0.1", released="2026-01-01", description="tiny"),
        hash=f"sha256:{tag}",
        sources=MappingProxyType({}),
        routes=MappingProxyType({}),
        sites=MappingProxyType(site_map),
        symptoms=MappingProxyType(syms),
        network=Network.model_construct(),
        red_flags=MappingProxyType({}),
        workup=MappingProxyType({}),
        treatments=MappingProxyType({}),
    )
