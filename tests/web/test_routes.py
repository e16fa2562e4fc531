"""The web routes, server-side: form, results without JavaScript, handout, downloads, assets."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from mbcnav.knowledge import Knowledge
from mbcnav.types import PATIENT_NOTICE, Assessment

CORD = {
    "sym:back_pain": "present",
    "sym:leg_weakness": "present",
    "sym:urinary_retention": "present",
    "er": "positive",
    "her2": "low",
    "setting": "suspected",
}


class Page(HTMLParser):
    """Start tags with attributes, heading levels, and label targets of one HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.headings: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def by_id(self, ident: str) -> dict[str, str]:
        return next(attrs for _, attrs in self.tags if attrs.get("id") == ident)

    def of(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def check_page_rules(html: str) -> Page:
    """Offline, labelled, one lang, headings that never skip a level."""
    page = Page(html)
    assert page.of("html")[0]["lang"] == "en"
    resources = [a.get("src", "") for a in page.of("script") + page.of("img")]
    resources += [a.get("href", "") for a in page.of("link")]
    resources += [
        a.get("src", "") + a.get("href", "")
        for t in ("source", "iframe", "image")
        for a in page.of(t)
    ]
    assert resources and not [r for r in resources if re.match(r"(https?:)?//", r)]
    assert "@import" not in html and "url(http" not in html
    labelled = {a["for"] for a in page.of("label") if "for" in a}
    for field in page.of("input") + page.of("select") + page.of("textarea"):
        if field.get("type") == "hidden":
            continue
        assert field.get("id") in labelled or field.get("aria-label"), field
    assert page.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    return page


def test_form_groups_symptoms_by_body_area(client: TestClient, knowledge: Knowledge) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = check_page_rules(response.text)
    areas = {a["id"] for a in page.of("details")}
    assert {"area-back_spine", "area-nerves_limbs", "area-head_brain"} <= areas
    radios = {a["name"] for a in page.of("input") if a.get("type") == "radio"}
    assert "sym:back_pain" in radios and "sym:leg_weakness" in radios
    lab_only = [s for s in knowledge.symptoms.values() if s.kind == "lab"]
    assert all(s.id not in radios for s in lab_only)
    for name in ("er", "pr", "her2", "esr1", "pik3ca_akt1_pten", "pik3ca", "akt1", "pten"):
        assert page.by_id(f"f-{name}")
    assert page.by_id("f-gbrca") and page.by_id("f-menopausal_status")
    her2 = response.text[response.text.index('id="f-her2"') :].split("</select>")[0]
    assert 'value="low"' in her2 and 'value="ultralow"' in her2
    assert page.by_id("f-pd_l1_cps")["type"] == "number"
    assert page.by_id("k-spine")["value"] == "site:spine"
    assert page.by_id("set-metastatic")["type"] == "radio"


def test_plain_form_post_renders_results(client: TestClient) -> None:
    response = client.post("/", data=CORD)
    assert response.status_code == 200
    page = check_page_rules(response.text)
    banner = page.by_id("red-flags")
    assert banner["role"] == "alert" and banner["data-urgency"] == "emergency"
    assert 'id="flag-spinal_cord_compression"' in response.text
    assert float(page.by_id("map-site-spine")["data-probability"]) > 0.5
    for ident in ("sites", "spread", "workup", "treatments", "findings", "provenance"):
        assert page.by_id(ident)
    assert page.by_id("s-back_pain-present").get("checked") is not None
    hidden = {(a["name"], a["value"]) for a in page.of("input") if a.get("type") == "hidden"}
    assert ("sym:back_pain", "present") in hidden and ("her2", "low") in hidden


def test_query_string_gives_the_same_results(client: TestClient) -> None:
    posted = client.post("/", data=CORD).text
    got = client.get("/", params=CORD).text
    pattern = r'id="map-site-spine"[^>]*data-probability="([0-9.]+)"'
    assert re.search(pattern, posted).group(1) == re.search(pattern, got).group(1)  # type: ignore[union-attr]


def test_negated_text_is_shown_absent(client: TestClient) -> None:
    response = client.post("/", data={"text": "severe back pain, denies leg weakness"})
    page = Page(response.text)
    assert page.by_id("finding-leg_weakness")["data-present"] == "false"
    assert page.by_id("finding-back_pain")["data-present"] == "true"
    assert "negated" in response.text and "denies" in response.text


def test_knowledge_version_shown(client: TestClient, knowledge: Knowledge) -> None:
    for response in (client.get("/"), client.post("/", data=CORD)):
        assert f'id="knowledge-version">{knowledge.version}<' in response.text


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({}, "MBC-E101"),
        ({"setting": "metastatic", "age": "61", "menopausal_status": "premenopausal"}, "MBC-E101"),
        ({"text": "x", "age": "old"}, "MBC-E103"),
        ({"text": "x" * 20_001}, "MBC-E105"),
    ],
)
def test_bad_input_is_a_coded_message_on_the_form(
    client: TestClient, data: dict[str, str], code: str
) -> None:
    response = client.post("/", data=data)
    assert response.status_code == 422
    assert 'role="alert" id="form-error"' in response.text and code in response.text
    assert 'id="patient-form"' in response.text


@pytest.mark.parametrize(
    "data",
    [
        {"known_site": "site:bone", "setting": "metastatic"},
        {"er": "positive", "her2": "negative"},
        {"esr1": "mutated"},
        {"bilirubin_umol_l": "48"},
        {"sym:back_pain": "absent"},
    ],
)
def test_anything_clinical_known_is_assessed(client: TestClient, data: dict[str, str]) -> None:
    """The engine's rule: only a form with nothing clinical on it is refused as empty."""
    response = client.post("/", data=data)
    assert response.status_code == 200, response.text[:400]
    assert 'id="results"' in response.text and "form-error" not in response.text


def test_unknown_fields_are_not_echoed(client: TestClient) -> None:
    data = {**CORD, "sym:not_a_symptom": "present", "evil": '"><script>alert(1)</script>'}
    response = client.post("/", data=data)
    assert "<script>alert" not in response.text and "not_a_symptom" not in response.text


def test_handout_is_plain_and_printable(client: TestClient) -> None:
    response = client.post("/handout", data=CORD)
    assert response.status_code == 200
    page = check_page_rules(response.text)
    assert page.by_id("act-now")["role"] == "alert"
    assert PATIENT_NOTICE in response.text
    assert "Hormone therapy" in response.text and "Immunotherapy" in response.text
    assert client.get("/handout", params=CORD).status_code == 200
    css = client.get("/static/web/mbcnav.css").text
    assert "@media print" in css


def test_pdf_download(client: TestClient) -> None:
    for response in (
        client.post("/handout.pdf", data=CORD),
        client.get("/handout.pdf", params=CORD),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith(b"%PDF-")


def test_json_download_is_the_assessment(client: TestClient) -> None:
    response = client.post("/assessment.json", data=CORD)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assessment = Assessment.model_validate(json.loads(response.content))
    assert assessment.red_flags[0].id == "flag:spinal_cord_compression"
    assert client.post("/assessment.json", data={}).json()["code"] == "MBC-E101"


def test_fhir_download(client: TestClient) -> None:
    response = client.post("/assessment.fhir.json", data=CORD)
    if response.status_code == 501:
        pytest.skip("the FHIR mapping does not export assessments yet")
    assert response.status_code == 200
    data = response.json()
    kinds = json.dumps(data)
    assert data["resourceType"] in ("Bundle", "RiskAssessment") and "RiskAssessment" in kinds


def test_static_assets_are_local_and_guarded(client: TestClient) -> None:
    assert client.get("/static/web/mbcnav.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/web/favicon.svg").status_code == 200
    assert client.get("/static/web/missing.css").status_code == 404
    assert client.get("/static/web/..%2Fapp.py").status_code == 404
    for name in ("mbcnav.css", "mbcnav.js"):
        assert not re.search(r"https?://", client.get(f"/static/web/{name}").text)


def test_posted_pages_may_be_kept_by_this_browser_only(client: TestClient) -> None:
    """A POST answer must be kept by the browser for Back to work; never by a shared cache.
    GET answers and files are fetched again, so they keep nothing."""
    for path in ("/", "/handout"):
        assert client.post(path, data=CORD).headers["cache-control"] == "private, no-cache"
        assert client.get(path, params=CORD).headers["cache-control"] == "no-store"
    assert client.post("/handout.pdf", data=CORD).headers["cache-control"] == "no-store"


def test_form_sends_the_genes_and_menopausal_status(client: TestClient) -> None:
    """The gene fields are kept with the form, and a premenopausal woman gets ovarian function
    suppression."""
    form = {
        "er": "positive",
        "pr": "positive",
        "her2": "zero",
        "akt1": "mutated",
        "menopausal_status": "premenopausal",
        "setting": "metastatic",
        "known_site": "site:bone",
        "sym:bone_pain": "present",
    }
    response = client.post("/", data=form)
    assert response.status_code == 200
    page = check_page_rules(response.text)
    assert "Ovarian function suppression" in response.text
    hidden = {(a["name"], a["value"]) for a in page.of("input") if a.get("type") == "hidden"}
    assert ("akt1", "mutated") in hidden
