"""The clinician's results as an HTML fragment: one function per section, composed in order.

Pure: an Assessment (and optionally the Knowledge, for labels and sources) in, escaped HTML out.
The web route places the fragment in its page; tests read each section by its id.
"""

from __future__ import annotations

from collections.abc import Iterable

from mbcnav.knowledge import Knowledge
from mbcnav.render.bodymap import body_map_svg
from mbcnav.render.markup import Child, Html, el, join
from mbcnav.render.spread import spread_svg, suspected_sites
from mbcnav.render.text import (
    INTENT_LABEL,
    MODALITY_LABEL,
    QUALIFIER_LABEL,
    URGENCY_LABEL,
    URGENCY_WHEN,
    confirm_first,
    humanize,
    label_of,
    percent,
    readable,
    reason_label,
    short,
    slug,
    source_citation,
    urgency_rank,
)
from mbcnav.types import (
    MODALITIES,
    URGENCY_ORDER,
    Assessment,
    DeferredOption,
    Finding,
    RedFlag,
    SitePosterior,
    TreatmentOption,
    WorkupItem,
)


def section(ident: str, title: str, *children: Child, **attrs: str | bool | None) -> Html:
    """A titled section whose heading labels it for assistive technology."""
    return el(
        "section",
        el("h2", title, id=f"h-{ident}"),
        children,
        id=ident,
        aria_labelledby=f"h-{ident}",
        **attrs,
    )


def sources_html(ids: Iterable[str], knowledge: Knowledge | None) -> Html:
    """Source ids as links to the sources list, each titled with its citation."""
    links = [
        el(
            "a",
            slug(ident),
            href=f"#src-{slug(ident)}",
            title=source_citation(knowledge, ident)[0],
            class_="src",
        )
        for ident in ids
    ]
    if not links:
        return Html("")
    joined: list[Child] = []
    for index, link in enumerate(links):
        joined.extend([", " if index else "", link])
    return el("span", "Sources: ", joined, class_="sources")


def _names(ids: Iterable[str], knowledge: Knowledge | None) -> str:
    return ", ".join(readable(knowledge, ident) for ident in ids)


def _urgency_badge(urgency: str) -> Html:
    return el("span", URGENCY_LABEL.get(urgency, humanize(urgency)), class_=f"badge u-{urgency}")


def _flag(flag: RedFlag, knowledge: Knowledge | None) -> Html:
    return el(
        "article",
        el("h3", _urgency_badge(flag.urgency), " ", flag.label or label_of(knowledge, flag.id)),
        el("p", "Because: ", _names(flag.because, knowledge)) if flag.because else None,
        el("ul", [el("li", action) for action in flag.actions], class_="actions"),
        sources_html(flag.sources, knowledge),
        id=f"flag-{slug(flag.id)}",
        class_=f"flag u-{flag.urgency}",
        data_urgency=flag.urgency,
    )


def red_flags_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """The banner: an alert naming the most urgent level, or a quiet 'no red flag' status."""
    flags = sorted(assessment.red_flags, key=lambda f: urgency_rank(f.urgency))
    if not flags:
        return el(
            "section",
            el("h2", "No red flag", id="h-red-flags"),
            el(
                "p",
                "No emergency or urgent rule fired for these findings. "
                "Absence of a flag is not proof of safety.",
            ),
            id="red-flags",
            class_="banner banner-clear",
            role="status",
            aria_labelledby="h-red-flags",
        )
    top = flags[0].urgency
    return el(
        "section",
        el("h2", f"{URGENCY_LABEL.get(top, top)}: {URGENCY_WHEN.get(top, '')}", id="h-red-flags"),
        [_flag(flag, knowledge) for flag in flags],
        id="red-flags",
        class_=f"banner banner-{top}",
        role="alert",
        aria_labelledby="h-red-flags",
        data_urgency=top,
    )


def _because(site: SitePosterior, knowledge: Knowledge | None) -> Html:
    if not site.because:
        return Html("")
    items = [
        el(
            "li",
            el("span", f"{b.log_odds:+.2f}", class_="up" if b.log_odds > 0 else "down"),
            " ",
            reason_label(knowledge, b.finding, b.present),
        )
        for b in sorted(site.because, key=lambda b: -abs(b.log_odds))
    ]
    return el("details", el("summary", "Why (log-odds)"), el("ul", items, class_="because"))


def _site_row(site: SitePosterior, knowledge: Knowledge | None, suspected: bool) -> Html:
    width = max(site.probability * 100, 0.5)
    return el(
        "li",
        el(
            "div",
            el("span", site.label, class_="site-name"),
            el("span", " known" if site.known else "", class_="tag") if site.known else None,
            el("span", percent(site.probability), class_="pct"),
            class_="site-head",
        ),
        el("div", el("span", style=f"width:{width:.1f}%"), class_="bar", role="presentation"),
        el(
            "div",
            f"prior {percent(site.prior)}",
            f" · route: {label_of(knowledge, site.route)}" if site.route else "",
            class_="meta",
        ),
        _because(site, knowledge),
        id=f"site-{slug(site.id)}",
        class_="site" + (" suspected" if suspected else ""),
        data_probability=f"{site.probability:.3f}",
    )


def sites_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """Every site, most probable first, with a probability bar and the findings behind it."""
    flagged = {site.id for site in suspected_sites(assessment, knowledge)}
    ordered = sorted(assessment.sites, key=lambda s: -s.probability)
    return section(
        "sites",
        "Where it may have spread",
        el("ol", [_site_row(s, knowledge, s.id in flagged) for s in ordered], class_="sites"),
    )


def body_map_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    return section(
        "body-map",
        "Body map",
        el(
            "figure",
            body_map_svg(assessment, knowledge),
            el("figcaption", "Shading: darker red is more probable; outlined regions are known."),
        ),
    )


def spread_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    return section("spread", "Routes of spread", spread_svg(assessment, knowledge))


def _finding_status(finding: Finding) -> Html:
    word = "Present" if finding.present else "Absent"
    return el("span", word, class_="present" if finding.present else "absent")


def _qualifiers(finding: Finding) -> Html:
    flags = [name for name, on in finding.qualifiers.model_dump().items() if on]
    words: list[Child] = [
        el("span", QUALIFIER_LABEL.get(name, name), class_=f"q q-{name}") for name in flags
    ]
    triggers = [f"“{t.text}”" for t in finding.triggers if t.category != "section"]
    if triggers:
        words.append(el("span", " by " + ", ".join(triggers), class_="trigger"))
    return join(words)


def findings_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """What was read from the text and what was coded, negated findings shown as absent."""
    if not assessment.findings:
        empty = el("p", "No findings.", class_="muted")
        return section("findings", "Findings", empty, _mentions(assessment, knowledge))
    rows = [
        el(
            "tr",
            el("th", label_of(knowledge, f.id), scope="row"),
            el("td", _finding_status(f)),
            el("td", f.source),
            el("td", el("q", f.text) if f.text else ""),
            el("td", _qualifiers(f)),
            id=f"finding-{slug(f.id)}",
            data_present=str(f.present).lower(),
        )
        for f in assessment.findings
    ]
    head = el(
        "tr", [el("th", h, scope="col") for h in ("Finding", "Status", "From", "Text", "Context")]
    )
    table = el("table", el("thead", head), el("tbody", rows), class_="findings")
    return section(
        "findings",
        "Findings",
        el("div", table, class_="table-wrap"),
        _mentions(assessment, knowledge),
    )


def _mentions(assessment: Assessment, knowledge: Knowledge | None) -> Html | None:
    """Sites the text names ("osseous metastases"), with how the text qualifies them."""
    if not assessment.site_mentions:
        return None
    items = [
        el(
            "li",
            el("q", m.text),
            f" → {short(label_of(knowledge, m.site))} ({m.status})",
            id=f"mention-{i}",
        )
        for i, m in enumerate(assessment.site_mentions)
    ]
    return join(el("h3", "Sites named in the text"), el("ul", items, class_="mentions"))


def _work_item(item: WorkupItem, knowledge: Knowledge | None) -> Html:
    box_id = f"work-{slug(item.id)}"
    return el(
        "li",
        el("input", type="checkbox", id=box_id),
        el(
            "div",
            el("label", item.label or label_of(knowledge, item.id), for_=box_id),
            el("div", "For: ", _names(item.for_, knowledge), class_="meta") if item.for_ else None,
            sources_html(item.sources, knowledge),
        ),
        data_urgency=item.urgency,
    )


def workup_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """The workup as a checklist, one list per urgency, most urgent first."""
    groups: list[Child] = []
    for urgency in URGENCY_ORDER:
        items = [w for w in assessment.workup if w.urgency == urgency]
        if items:
            groups.append(el("h3", _urgency_badge(urgency), " ", URGENCY_WHEN[urgency]))
            groups.append(
                el(
                    "ul",
                    [_work_item(w, knowledge) for w in items],
                    class_="checklist",
                    id=f"workup-{urgency}",
                )
            )
    if not groups:
        groups.append(
            el("p", "No test is suggested by the rules for this assessment.", class_="muted")
        )
    return section("workup", "Workup", groups)


def _option(option: TreatmentOption, knowledge: Knowledge | None) -> Html:
    extras = [
        f"line {option.line}" if option.line else "",
        f"approval: {option.approval.replace('_', ' ')}" if option.approval else "",
        "for a suspected site" if option.suspected else "",
    ]
    return el(
        "li",
        el("strong", option.label or label_of(knowledge, option.id)),
        " ",
        el("span", INTENT_LABEL.get(option.intent, humanize(option.intent)), class_="intent"),
        el("div", " · ".join(e for e in extras if e), class_="meta") if any(extras) else None,
        el(
            "div",
            "Because: ",
            "; ".join(readable(knowledge, b) for b in option.because),
            class_="meta",
        )
        if option.because
        else None,
        el("div", "With: ", _names(option.combines_with, knowledge), class_="meta")
        if option.combines_with
        else None,
        sources_html(option.sources, knowledge),
        id=f"tx-{slug(option.id)}",
    )


def _deferred(option: DeferredOption, knowledge: Knowledge | None) -> Html:
    sites = ", ".join(label_of(knowledge, site) for site in option.for_sites)
    return el(
        "li",
        el("strong", option.label or label_of(knowledge, option.id)),
        " ",
        el("span", MODALITY_LABEL[option.modality], class_="intent"),
        el("div", f"For: {sites}", class_="meta") if sites else None,
        el("div", option.reason[:1].upper() + option.reason[1:], class_="meta"),
        sources_html(option.sources, knowledge),
        id=f"later-{slug(option.id)}",
    )


def _after_confirmation(assessment: Assessment, knowledge: Knowledge | None) -> Html | None:
    """The options a treatment gate withholds until the spread is confirmed, tests first."""
    sentence = confirm_first(assessment)
    if sentence is None:
        return None
    return el(
        "div",
        el("p", el("strong", sentence), class_="confirm-first"),
        el("h3", "To consider once confirmed"),
        el(
            "ul", [_deferred(o, knowledge) for o in assessment.after_confirmation], class_="options"
        ),
        class_="after-confirmation",
        id="after-confirmation",
    )


def treatments_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """Options grouped by the seven modalities of the patient article, in its order; first,
    when a gate withholds some until the spread is confirmed, the tests that come first."""
    groups = []
    for modality in MODALITIES:
        options = [o for o in assessment.treatment_options if o.modality == modality]
        body: Child = (
            el("ul", [_option(o, knowledge) for o in options], class_="options")
            if options
            else el("p", "None selected for this patient.", class_="muted")
        )
        groups.append(
            el(
                "div",
                el("h3", MODALITY_LABEL[modality]),
                body,
                class_="modality" + ("" if options else " empty"),
                id=f"mod-{modality}",
            )
        )
    return section(
        "treatments",
        "Treatment options",
        _after_confirmation(assessment, knowledge),
        el("div", groups, class_="modalities"),
    )


def _cited(assessment: Assessment) -> list[str]:
    seen: dict[str, None] = {}
    groups: list[Iterable[str]] = [f.sources for f in assessment.red_flags]
    groups += [w.sources for w in assessment.workup]
    groups += [o.sources for o in assessment.treatment_options]
    groups += [o.sources for o in assessment.after_confirmation]
    for ids in groups:
        seen.update(dict.fromkeys(ids))
    return list(seen)


def sources_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    items = []
    for ident in _cited(assessment):
        citation, url = source_citation(knowledge, ident)
        link = el("a", "link", href=url, rel="noopener noreferrer") if url else None
        items.append(
            el("li", el("b", slug(ident)), " ", citation, " ", link, id=f"src-{slug(ident)}")
        )
    body: Child = el("ol", items, class_="source-list") if items else el("p", "No sources cited.")
    return section("sources", "Sources", body)


def provenance_section(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    prov = assessment.provenance
    rows: list[tuple[str, str]] = [
        ("Knowledge version", prov.knowledge_version),
        (
            "Knowledge hash",
            prov.knowledge_hash[:19] + "…"
            if len(prov.knowledge_hash) > 20
            else prov.knowledge_hash,
        ),
    ]
    rows += [(f"Algorithm ({name})", value) for name, value in sorted(prov.algorithms.items())]
    return section(
        "provenance",
        "About this assessment",
        el(
            "dl",
            [
                join(el("dt", k), el("dd", v, id="knowledge-version" if k == rows[0][0] else None))
                for k, v in rows
            ],
        ),
        el("p", assessment.notice, class_="notice"),
    )


def results_html(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """All result sections, in reading order: urgent first, sources and provenance last."""
    return join(
        red_flags_section(assessment, knowledge),
        el(
            "div",
            sites_section(assessment, knowledge),
            body_map_section(assessment, knowledge),
            class_="pair",
        ),
        spread_section(assessment, knowledge),
        workup_section(assessment, knowledge),
        treatments_section(assessment, knowledge),
        findings_section(assessment, knowledge),
        sources_section(assessment, knowledge),
        provenance_section(assessment, knowledge),
    )
