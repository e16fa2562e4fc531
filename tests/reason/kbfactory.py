"""Small synthetic knowledge objects, so inference can be checked against brute force."""

from __future__ import annotations

import random
from types import MappingProxyType
from typing import Any

from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import (
    Meta,
    Network,
    RedFlagRule,
    Route,
    Site,
    Symptom,
    Treatment,
    Workup,
)

SRC = ["src:test"]
NEGATION_P = 0.7


def _site(ident: str) -> Site:
    return Site.model_validate(
        {
            "id": ident,
            "label": ident.title(),
            "plain_label": ident,
            "body_map": "liver",
            "routes": ["route:blood"],
            "sources": SRC,
        }
    )


def _symptom(ident: str) -> Symptom:
    return Symptom.model_validate(
        {
            "id": ident,
            "label": ident,
            "plain_label": ident,
            "body_area": "general",
            "sources": SRC,
        }
    )


def make_knowledge(
    n_sites: int,
    n_symptoms: int,
    *,
    seed: int = 0,
    density: float = 0.4,
    mention: bool = False,
    negation: bool = False,
    red_flags: list[dict[str, Any]] | None = None,
    workup: list[dict[str, Any]] | None = None,
    treatments: list[dict[str, Any]] | None = None,
) -> Knowledge:
    """A random noisy-OR network with the given size; every symptom has a leak."""
    rng = random.Random(seed)
    sites = [f"site:s{i}" for i in range(n_sites)]
    symptoms = [f"sym:f{i}" for i in range(n_symptoms)]
    links = [
        {"site": s, "symptom": f, "p": round(rng.uniform(0.05, 0.95), 3), "sources": SRC}
        for s in sites
        for f in symptoms
        if rng.random() < density
    ]
    network: dict[str, Any] = {
        "thresholds": {
            "suspected_site": 0.3,
            "workup_site": 0.2,
            "treat_suspected_site": 0.5,
            "rationale": "test thresholds",
        },
        "subtypes": [
            {
                "subtype": "triple_negative",
                "when": {
                    "all": [
                        {"receptor": "er", "in": ["negative"]},
                        {"receptor": "pr", "in": ["negative"]},
                        {"receptor": "her2", "in": ["negative", "zero", "low", "ultralow"]},
                    ]
                },
                "sources": SRC,
            },
            {
                "subtype": "hr_neg_her2_pos",
                "when": {"receptor": "her2", "in": ["positive"]},
                "sources": SRC,
            },
        ],
        "settings": [
            {"setting": "surveillance", "scale": 0.2, "sources": SRC},
            {"setting": "suspected", "scale": 0.6, "sources": SRC},
            {"setting": "metastatic", "scale": 1.0, "sources": SRC},
        ],
        "priors": [
            {
                "site": s,
                "metastatic": {
                    "unknown": round(rng.uniform(0.05, 0.7), 3),
                    "triple_negative": round(rng.uniform(0.05, 0.7), 3),
                },
                "denominator": "test",
                "sources": SRC,
            }
            for s in sites
        ],
        "links": links,
        "leaks": [
            {"symptom": f, "leak": round(rng.uniform(0.01, 0.3), 3), "sources": SRC}
            for f in symptoms
        ],
    }
    if mention:
        network["suspected_mention"] = {"p": 0.6, "leak": 0.05, "sources": SRC}
    if negation:
        network["negated_mention"] = {"p": NEGATION_P, "sources": SRC}
    route = Route.model_validate(
        {
            "id": "route:blood",
            "label": "Blood",
            "plain_explanation": "through the blood",
            "reaches": sites,
            "order": 2,
            "sources": SRC,
        }
    )
    return Knowledge(
        meta=Meta(name="test", version="0.0.1", released="2026-01-01", description="test"),
        hash="sha256:test",
        sources=MappingProxyType({}),
        routes=MappingProxyType({route.id: route}),
        sites=MappingProxyType({s: _site(s) for s in sites}),
        symptoms=MappingProxyType({f: _symptom(f) for f in symptoms}),
        network=Network.model_validate(network),
        red_flags=MappingProxyType(
            {r["id"]: RedFlagRule.model_validate(r) for r in red_flags or []}
        ),
        workup=MappingProxyType({w["id"]: Workup.model_validate(w) for w in workup or []}),
        treatments=MappingProxyType(
            {t["id"]: Treatment.model_validate(t) for t in treatments or []}
        ),
    )
