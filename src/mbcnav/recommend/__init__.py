"""Recommendations: workup and treatment options from the knowledge's decision tables."""

from mbcnav.recommend.treatment import treatment_options
from mbcnav.recommend.workup import workup_items

__all__ = ["treatment_options", "workup_items"]
