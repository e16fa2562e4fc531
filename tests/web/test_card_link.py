"""Card links: ``/?patient=…&assessment=<audit id>`` shows the audited assessment, and outside
``--dev`` only to a caller with the REST API's bearer token."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from mbcnav.knowledge import Knowledge
from mbcnav.service import Settings, create_app

SERVICE = "/cds-services/mbcnav-patient-view"
NOTE = (
    "Known bone metastases. Worsening back pain for two weeks, now weak legs and numbness "
    "below the waist; she has not passed urine since the morning."
)
TOKEN = "web-proxy-token-0123456789"
CORD = {"text": NOTE}


def _hook(patient_id: str) -> dict[str, Any]:
    """A patient-view request whose chart is one clinic note (prefetched, no FHIR server)."""
    encoded = base64.b64encode(NOTE.encode()).decode()
    note = {
        "resourceType": "DocumentReference",
        "id": "note-1",
        "status": "current",
        "subject": {"reference": f"Patient/{patient_id}"},
        "content": [{"attachment": {"contentType": "text/plain", "data": encoded}}],
    }
    empty = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    return {
        "hook": "patient-view",
        "hookInstance": "8f0d5a52-4a2e-4b8e-9d3c-0f7f5b1c2a10",
        "context": {"userId": "Practitioner/1", "patientId": patient_id},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": patient_id, "gender": "female"},
            "conditions": empty,
            "observations": empty,
            "notes": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": note}]},
        },
    }


@pytest.fixture
def dev(knowledge: Knowledge, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(dev=True, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/a.db")
    with TestClient(create_app(settings, knowledge=knowledge)) as client:
        yield client


@pytest.fixture
def locked(knowledge: Knowledge, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(dev=False, data_dir=tmp_path, api_tokens=(TOKEN,))
    with TestClient(create_app(settings, knowledge=knowledge)) as client:
        yield client


def _card_link(client: TestClient) -> tuple[str, list[dict[str, Any]]]:
    response = client.post(SERVICE, json=_hook("p-42"))
    assert response.status_code == 200
    cards = response.json()["cards"]
    url = urlsplit(cards[0]["links"][0]["url"])
    assert url.path == "/" and "patient=p-42" in url.query
    return f"{url.path}?{url.query}", cards


def _audit_id(link: str) -> str:
    found = re.search(r"assessment=([0-9a-f-]+)", link)
    assert found
    return found.group(1)


def _flags(html: str) -> set[str]:
    return set(re.findall(r'id="flag-([a-z0-9_]+)"', html))


def _sites(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li id="site-([a-z0-9_]+)"[^>]*data-probability="([0-9.]+)"', html)


def test_card_link_shows_the_cards_assessment(dev: TestClient) -> None:
    link, cards = _card_link(dev)
    audit_id = _audit_id(link)
    stored = dev.get(f"/v1/assessments/{audit_id}").json()["output"]
    page = dev.get(link)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert 'id="stored-note"' in html and audit_id in html and "CDS Hooks card" in html
    assert _flags(html) == {flag["id"].split(":", 1)[1] for flag in stored["red_flags"]}
    assert "spinal_cord_compression" in _flags(html) and cards[0]["indicator"] == "critical"
    expected = sorted(stored["sites"], key=lambda site: -site["probability"])
    assert _sites(html) == [
        (site["id"].split(":", 1)[1], f"{site['probability']:.3f}") for site in expected
    ]
    for section in ("red-flags", "sites", "body-map", "spread", "workup", "treatments"):
        assert f'id="{section}"' in html, section
    assert f'name="assessment" value="{audit_id}"' in html


def test_handout_and_pdf_of_the_audited_assessment(dev: TestClient) -> None:
    link, _ = _card_link(dev)
    audit_id = _audit_id(link)
    handout = dev.get("/handout", params={"assessment": audit_id})
    assert handout.status_code == 200 and 'id="act-now"' in handout.text
    assert f'name="assessment" value="{audit_id}"' in handout.text
    back = dev.post("/", data={"assessment": audit_id})
    assert 'id="stored-note"' in back.text
    for pdf in (
        dev.post("/handout.pdf", data={"assessment": audit_id}),
        dev.get("/handout.pdf", params={"assessment": audit_id}),
    ):
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    download = dev.post("/assessment.json", data={"assessment": audit_id}).json()
    assert download == dev.get(f"/v1/assessments/{audit_id}").json()["output"]


@pytest.mark.parametrize("audit_id", ["0f1e2d3c-aaaa-4bbb-8ccc-123456789abc", "../etc", "x" * 300])
@pytest.mark.parametrize("path", ["/", "/handout", "/handout.pdf"])
def test_unknown_id_is_a_coded_page(dev: TestClient, path: str, audit_id: str) -> None:
    response = dev.get(path, params={"patient": "p-1", "assessment": audit_id})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="page-error"' in response.text and "MBC-E503" in response.text
    assert "No audited assessment has this id" in response.text
    assert "Traceback" not in response.text and audit_id not in response.text
    missing = dev.get("/assessment.json", params={"assessment": audit_id})
    assert missing.status_code == 404 and missing.json()["code"] == "MBC-E503"


def test_locked_page_needs_the_rest_token(locked: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    made = locked.post("/v1/assess", json=CORD, headers=auth)
    assert made.status_code == 200
    audit_id = made.headers["X-Audit-Id"]
    link = f"/?patient=p-9&assessment={audit_id}"
    for path, headers in [(link, {}), ("/", {}), (link, {"Authorization": "Bearer wrong"})]:
        refused = locked.get(path, headers=headers)
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert 'id="page-error"' in refused.text and re.search(r"MBC-E50[01]", refused.text)
        assert "flag-" not in refused.text and "site-" not in refused.text
    assert locked.post("/handout", data={"assessment": audit_id}).status_code == 401
    page = locked.get(link, headers=auth)
    assert page.status_code == 200 and 'id="flag-spinal_cord_compression"' in page.text
    pdf = locked.get("/handout.pdf", params={"assessment": audit_id}, headers=auth)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert locked.get("/static/web/mbcnav.css").status_code == 200


@pytest.mark.browser
def test_card_link_in_chromium(
    client: TestClient, page: Any, live_url: str, screenshots: Path
) -> None:
    link, _ = _card_link(client)
    page.goto(live_url + link)
    assert page.locator("#red-flags").get_attribute("data-urgency") == "emergency"
    assert page.locator("#flag-spinal_cord_compression").is_visible()
    assert page.locator("#stored-note").is_visible()
    page.screenshot(path=str(screenshots / "card-link.png"), full_page=True)
    page.click("#open-handout")
    assert page.locator("#act-now").is_visible()
    page.click("#back")
    assert page.locator("#stored-note").is_visible()
