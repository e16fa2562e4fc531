"""Renderers: an Assessment as clinician HTML, a plain-language handout, and PDF bytes.

Pure functions: nothing here reads or writes files or imports a web framework.
"""

from mbcnav.render.bodymap import body_map_svg
from mbcnav.render.handout import Handout, build_handout, handout_html
from mbcnav.render.html import results_html
from mbcnav.render.markup import Html
from mbcnav.render.pdf import handout_pdf
from mbcnav.render.readability import flesch_kincaid_grade
from mbcnav.render.spread import spread_svg

__all__ = [
    "Handout",
    "Html",
    "body_map_svg",
    "build_handout",
    "flesch_kincaid_grade",
    "handout_html",
    "handout_pdf",
    "results_html",
    "spread_svg",
]
