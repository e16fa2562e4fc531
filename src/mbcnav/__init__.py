"""mbcnav: decision support for metastatic breast cancer.

It supports, and does not replace, a clinician's judgement.
"""

from mbcnav import errors, types
from mbcnav._api import assess, assess_many
from mbcnav.errors import InputError, KnowledgeError, MbcnavError
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.types import Assessment, Patient

__all__ = [
    "Assessment",
    "InputError",
    "Knowledge",
    "KnowledgeError",
    "MbcnavError",
    "Patient",
    "assess",
    "assess_many",
    "errors",
    "load_knowledge",
    "types",
]
__version__ = "0.1.0"
