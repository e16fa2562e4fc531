"""Knowledge as validated, cited, versioned data: the facts every answer rests on."""

from mbcnav.knowledge.loader import load_knowledge
from mbcnav.knowledge.model import Knowledge

__all__ = ["Knowledge", "load_knowledge"]
