"""Generate ``src/mbcnav/extract/data/word_forms.json``: the inflections, American spellings
and misspellings of every word the reader's vocabulary uses, so the reader matches "hurts",
"legs", "oedema"/"edema" and "shoulderr" without a runtime lemmatiser.

    python scripts/build_word_forms.py            # check: exit 1 if the file is stale
    python scripts/build_word_forms.py --write    # regenerate

Vocabulary: the heads and body parts of ``knowledge/data/concepts.yaml`` and the clinical and
lay terms of ``symptoms.yaml``. Inflections come from lemminflect (its own lookup tables, no
model); only the word's own parts of speech are inflected (a noun gets its number, a verb its
forms). Misspellings are edit-distance-1 variants (a letter dropped, doubled, two swapped, a
vowel replaced) of long concept words, kept only when the variant is no English word
lemminflect knows and no other vocabulary form, so a misspelling never hides a real word.
"""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import yaml
from lemminflect import getAllInflections, getAllLemmas

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "mbcnav" / "knowledge" / "data"
RULES = ROOT / "src" / "mbcnav" / "extract" / "data" / "lexicon_rules.yaml"
OUT = ROOT / "src" / "mbcnav" / "extract" / "data" / "word_forms.json"
WORD = re.compile(r"[a-z]+")
MIN_INFLECT = 3
MIN_MISSPELT = 6
STEM = 2
"""A term word's forms share its first letters (concept words, curated, keep irregular ones)."""
VOWELS = "aeiou"
SPELLING = (("oe", "e"), ("ae", "e"), ("our", "or"), ("ise", "ize"), ("yse", "yze"), ("tre", "ter"))
"""British -> American rewrites tried on every word; a rewrite is kept when lemminflect knows the
result (so "tumour" -> "tumor" but not "course" -> "corse")."""


def _words(phrases: list[str]) -> set[str]:
    return {word for phrase in phrases for word in WORD.findall(phrase.lower())}


def vocabulary() -> tuple[set[str], set[str], set[str]]:
    """(every vocabulary word, the concept words, the words that also get misspellings: long
    concept words; symptom terms keep their hand-listed misspellings, as misspelling every
    one-word term grew the automaton by a fifth for no measured gain)."""
    concepts = yaml.safe_load((DATA / "concepts.yaml").read_text("utf-8"))
    symptoms = yaml.safe_load((DATA / "symptoms.yaml").read_text("utf-8"))["symptoms"]
    concept_phrases = [w for head in concepts["heads"] for w in head["words"]]
    for part in concepts["anatomy"]:
        concept_phrases += part.get("clinical", []) + part.get("lay", [])
    term_phrases = [
        phrase
        for symptom in symptoms
        for field in ("clinical", "lay")
        for phrase in symptom.get("terms", {}).get(field, [])
    ]
    concept_words = _words(concept_phrases)
    misspelt = {w for w in concept_words if len(w) >= MIN_MISSPELT}
    return concept_words | _words(term_phrases), concept_words, misspelt


def _known(word: str) -> bool:
    return bool(getAllLemmas(word))


def inflections(word: str, *, verbs: bool) -> set[str]:
    """The other forms of ``word`` for its own parts of speech: a noun's number, a verb's
    forms. A base noun of a term gets no verb forms (the verb may be another word: "wind" of
    "short of wind" is no "wound"); concept words (``verbs``) get both."""
    if len(word) < MIN_INFLECT:
        return set()
    forms: set[str] = set()
    found = getAllLemmas(word)
    base_noun = word in found.get("NOUN", ())
    for pos, lemmas in found.items():
        if pos not in ("NOUN", "VERB") or (pos == "VERB" and base_noun and not verbs):
            continue
        for lemma in lemmas:
            for tag, found in getAllInflections(lemma, upos=pos).items():
                if pos == "NOUN" and tag not in ("NN", "NNS"):
                    continue
                forms.update(found)
            forms.add(lemma)
    if not verbs:  # an irregular form of another word ("winded" -> "wound") is no variant
        forms = {form for form in forms if form[:STEM] == word[:STEM]}
    forms.update(_american(word))
    forms.discard(word)
    return {form for form in forms if WORD.fullmatch(form)}


def _american(word: str) -> set[str]:
    out: set[str] = set()
    for british, american in SPELLING:
        if british in word:
            candidate = word.replace(british, american)
            if _known(candidate):
                out.add(candidate)
    return out


def edits(word: str) -> set[str]:
    """Edit-distance-1 variants: a letter dropped or doubled, neighbours swapped, a vowel
    replaced by another."""
    out: set[str] = set()
    for i in range(len(word)):
        out.add(word[:i] + word[i + 1 :])
        out.add(word[:i] + word[i] + word[i:])
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        if word[i] in VOWELS:
            out.update(word[:i] + v + word[i + 1 :] for v in VOWELS if v != word[i])
    out.discard(word)
    return out


def not_forms() -> set[str]:
    """Words never given as a form of another word (lexicon_rules.yaml ``not_forms``)."""
    rules = yaml.safe_load(RULES.read_text("utf-8"))
    return {entry["word"] for entry in rules.get("not_forms", [])}


def build() -> str:
    words, concept_words, misspelt = vocabulary()
    barred = not_forms()
    forms = {
        word: sorted(inflections(word, verbs=word in concept_words) - barred)
        for word in sorted(words)
    }
    taken = set(words).union(*map(set, forms.values()))
    owners: dict[str, set[str]] = {}
    for word in sorted(misspelt):
        for form in {word, *(f for f in forms[word] if len(f) <= len(word) + 2)}:
            if len(form) < MIN_MISSPELT:
                continue
            for variant in edits(form):
                if variant not in taken and not _known(variant):
                    owners.setdefault(variant, set()).add(form)
    misspellings = {v: sorted(o)[0] for v, o in sorted(owners.items()) if len(o) == 1}
    table = {
        "generated_by": "scripts/build_word_forms.py",
        "lemminflect": version("lemminflect"),
        "forms": {word: found for word, found in forms.items() if found},
        "misspellings": misspellings,
    }
    return json.dumps(table, indent=0, sort_keys=True, ensure_ascii=True) + "\n"


def main(argv: list[str]) -> int:
    text = build()
    if "--write" in argv:
        OUT.write_text(text, encoding="utf-8")
        return 0
    if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
        print(f"{OUT} is stale: run scripts/build_word_forms.py --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
