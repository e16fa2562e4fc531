"""Scoring mbcnav on labelled records: our golden cases, published case reports, patients' words.

`mbcnav evaluate` is the command; this package maps each record's answer key to mbcnav ids
(``records``) and scores assessments against it (``metrics``). It does no I/O of its own.
"""

from mbcnav.evaluation.metrics import Scored, score, summarise
from mbcnav.evaluation.records import Record, to_record

__all__ = ["Record", "Scored", "score", "summarise", "to_record"]
