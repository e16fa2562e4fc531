"""Recommendations: workup and treatment options from the knowledge's decision tables."""

from mbcnav.recommend.treatment import TreatmentPlan, treatment_options, treatment_plan
from mbcnav.recommend.workup import workup_items

__all__ = ["TreatmentPlan", "treatment_options", "treatment_plan", "workup_items"]
