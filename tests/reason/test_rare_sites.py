"""Rare sites that real cases of metastatic breast cancer present with (eye and orbit, skin and
chest wall, GI tract): a clear presentation must reach the top three even when spread is only
suspected, and a nonspecific complaint must not put the rare site first."""

from __future__ import annotations

import pytest
from site_views import read_findings, top_sites

from mbcnav import assess
from mbcnav.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("She says her eye is red and gritty.", "sym:red_eye"),
        ("Examination showed conjunctival injection.", "sym:red_eye"),
        (
            "Fundoscopy showed an amelanotic choroidal lesion with subretinal fluid.",
            "sym:choroidal_lesion",
        ),
        ("She reports flashes of light and floaters.", "sym:photopsia_floaters"),
        ("Pain on eye movement for two weeks.", "sym:proptosis"),
        ("Restricted eye movements on lateral gaze.", "sym:ophthalmoplegia"),
        ("Erythematous plaques over the mastectomy scar.", "sym:skin_lesion"),
        ("Thickened skin across the chest wall.", "sym:skin_lesion"),
        ("Biopsy of the rash showed carcinoma erysipeloides.", "sym:skin_lesion"),
        ("Melaena for three days.", "sym:gi_bleeding"),
        ("She vomited blood this morning.", "sym:gi_bleeding"),
        ("A change in bowel habit over two months.", "sym:bowel_habit_change"),
        ("Ferritin low, consistent with iron deficiency.", "sym:iron_deficiency_anaemia"),
        ("Food sticking in her throat when she eats.", "sym:dysphagia"),
        ("Pelvic fullness and an enlarged ovary on examination.", "sym:pelvic_pain"),
        ("The blood film was leukoerythroblastic with teardrop cells.", "sym:pancytopenia"),
    ],
)
def test_the_presenting_words_of_rare_sites_are_read(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    assert read_findings(text, knowledge).get(finding) is True


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Redness in her right eye for ten days.", "sym:red_eye"),
        ("Inflammation inside the front of the left eye.", "sym:red_eye"),
        ("Red bumps spreading across her chest.", "sym:skin_lesion"),
        ("A raised rash over the skin of the chest wall.", "sym:skin_lesion"),
        ("A thickened, discoloured patch on the mastectomy scar.", "sym:skin_lesion"),
    ],
)
def test_rare_site_concepts_are_read_in_any_wording(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    assert read_findings(text, knowledge).get(finding) is True


@pytest.mark.parametrize(
    "text",
    [
        "Chest x-ray showed inflammation.",
        "Red cell count low; chest clear.",
        "Lungs inflamed on the chest film.",
        "She stopped the drug because of a skin rash.",
    ],
)
def test_inflammation_or_red_cells_near_the_chest_are_not_a_skin_lesion(
    text: str, knowledge: Knowledge
) -> None:
    assert "sym:skin_lesion" not in read_findings(text, knowledge)


def test_an_eye_patch_is_not_a_red_eye(knowledge: Knowledge) -> None:
    assert "sym:red_eye" not in read_findings(
        "I am wearing an eye patch so I can see single.", knowledge
    )


def test_iron_deficiency_anaemia_is_read_as_both_findings(knowledge: Knowledge) -> None:
    read = read_findings("Admitted with iron deficiency anaemia.", knowledge)
    assert read.get("sym:iron_deficiency_anaemia") is True
    assert read.get("sym:anaemia") is True


def test_denied_melaena_is_absent(knowledge: Knowledge) -> None:
    assert (
        read_findings("She denies melaena or haematemesis.", knowledge).get("sym:gi_bleeding")
        is False
    )


@pytest.mark.parametrize(
    "text",
    [
        "Blurred vision and a red eye; a mass was seen on fundoscopy.",
        "Reduced vision in one eye; a choroidal mass with exudative retinal detachment.",
        "A red eye with blurred vision.",
    ],
)
def test_a_clear_eye_presentation_puts_eye_orbit_in_the_top_three(
    text: str, knowledge: Knowledge
) -> None:
    assert "site:eye_orbit" in top_sites(text, knowledge)


def test_double_vision_with_a_nerve_palsy_keeps_the_orbit_in_view(knowledge: Knowledge) -> None:
    text = "Double vision; the first working diagnosis was a third cranial nerve palsy."
    assert "site:eye_orbit" in top_sites(text, knowledge)


def test_inflammatory_skin_metastasis_puts_skin_first(knowledge: Knowledge) -> None:
    text = "Spreading red plaques with thickened skin over the chest, first treated as erysipelas."
    assert top_sites(text, knowledge, n=1) == ["site:skin_chest_wall"]


def test_gi_bleeding_with_iron_deficiency_puts_the_gi_tract_first(knowledge: Knowledge) -> None:
    text = "Black tarry stools; ferritin low, consistent with iron deficiency."
    assert top_sites(text, knowledge, n=1) == ["site:gi_tract"]


@pytest.mark.parametrize("setting", ["suspected", "metastatic"])
@pytest.mark.parametrize(
    "text",
    [
        "Nausea for two weeks.",
        "Diarrhoea since starting abemaciclib.",
        "Iron deficiency on her blood tests.",
        "She is anaemic.",
    ],
)
def test_a_nonspecific_complaint_does_not_put_the_gi_tract_first(
    text: str, setting: str, knowledge: Knowledge
) -> None:
    assert top_sites(text, knowledge, setting=setting, n=1) != ["site:gi_tract"]


def test_floaters_alone_do_not_put_the_eye_first(knowledge: Knowledge) -> None:
    assert top_sites("Some floaters in her vision.", knowledge, n=1) != ["site:eye_orbit"]


def test_rare_site_priors_follow_their_series(knowledge: Knowledge) -> None:
    """Skin 24 % (Lookingbill 1993), choroid 3 % on screening (Wiegel 1998, Barak 2007); GI
    tract and ovary between the clinical and the autopsy frequencies (1.5 % and 8-35 %,
    Ambroggi 2012; 2.5 % and 22.9 %, Gynecol Oncol 1995), as the choroid counts disease found
    by screening: with nothing read, the metastatic posterior is the prior, the over-the-course
    figure times the metastatic setting's scale."""
    result = assess({"text": "Review in clinic.", "setting": "metastatic"}, knowledge=knowledge)
    probability = {site.id: site.probability for site in result.sites}
    scale = next(s.scale for s in knowledge.network.settings if s.setting == "metastatic")
    over_course = {site: p / scale for site, p in probability.items()}
    assert over_course["site:skin_chest_wall"] == pytest.approx(0.24, abs=0.01)
    assert over_course["site:eye_orbit"] == pytest.approx(0.03, abs=0.005)
    assert 0.015 < over_course["site:gi_tract"] <= 0.05
    assert 0.025 < over_course["site:ovary"] <= 0.08


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("Haemoglobin 5.5 g/dL with ferritin 20 ng/mL.", True),
        ("Ferritin 12 µg/L.", True),
        ("Her ferritin was low.", True),
        ("Ferritin 250 ng/mL.", False),
        ("Ferritin 30 ng/mL.", False),
    ],
)
def test_a_low_ferritin_reads_as_iron_deficiency(
    text: str, present: bool, knowledge: Knowledge
) -> None:
    """Below 30 µg/L (BSG 2021 cut-offs 15-45 µg/L): the iron deficiency that sends a woman
    with breast cancer for GI investigation; a normal or high ferritin names none."""
    assert (read_findings(text, knowledge).get("sym:iron_deficiency_anaemia") is True) is present


def test_anaemia_with_a_low_ferritin_keeps_the_gi_tract_in_view(knowledge: Knowledge) -> None:
    text = "Admitted with symptomatic anaemia; haemoglobin 5.5 g/dL, ferritin 20 ng/mL."
    assert "site:gi_tract" in top_sites(text, knowledge)
