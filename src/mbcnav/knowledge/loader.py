"""The only I/O of the knowledge package: read the YAML files, validate, check, compile.

Files (one per concern) under ``knowledge/data/``; each holds one top-level key of the same
name holding a list of records, except ``meta.yaml``, ``network.yaml`` and ``concepts.yaml``
(mappings).

Reading never stops at the first problem: schema errors are collected per record, cross
references are checked over everything that validated, and all of it is raised together as one
``KnowledgeError(problems=[...])`` so that a reviewer sees the whole list at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mbcnav.errors import KnowledgeError
from mbcnav.knowledge.checks import Problem, Records, run_checks
from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import (
    Concepts,
    Meta,
    Network,
    PriorTherapyTerm,
    RedFlagRule,
    Route,
    Site,
    Source,
    SourceRules,
    Symptom,
    Treatment,
    TreatmentGate,
    Workup,
)

LIST_FILES: dict[str, type[BaseModel]] = {
    "sources": Source,
    "routes": Route,
    "sites": Site,
    "symptoms": Symptom,
    "red_flags": RedFlagRule,
    "workup": Workup,
    "treatments": Treatment,
    "prior_therapies": PriorTherapyTerm,
    "treatment_gates": TreatmentGate,
}
HASHED_FILES = (
    "sources",
    "routes",
    "sites",
    "symptoms",
    "network",
    "red_flags",
    "workup",
    "treatments",
    "prior_therapies",
    "concepts",
    "treatment_gates",
)

ONE_FILES: dict[str, type[BaseModel]] = {
    "meta": Meta,
    "network": Network,
    "concepts": Concepts,
    "source_rules": SourceRules,
}
FILES = (*LIST_FILES, *ONE_FILES)

M = TypeVar("M", bound=BaseModel)
# libyaml's parser is about ten times faster than the pure-Python one, when it is installed.
_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_text(text: str) -> Any:
    """Safe YAML with libyaml's parser where installed: every data file the package reads at
    start-up goes through here (the HPO vocabulary alone took half a second in pure Python)."""
    return yaml.load(text, Loader=_YamlLoader)


def default_data_dir() -> Path:
    return Path(str(resources.files("mbcnav.knowledge") / "data"))


def content_hash(data_dir: Path) -> str:
    """sha256 over the clinical content files, so any change to a fact changes the hash."""
    return hash_texts({name: (data_dir / f"{name}.yaml").read_bytes() for name in HASHED_FILES})


def hash_texts(texts: Mapping[str, bytes]) -> str:
    """The content hash of the files' bytes (keyed by file stem; line endings normalised)."""
    digest = hashlib.sha256()
    for name in HASHED_FILES:
        raw = texts[name].replace(b"\r\n", b"\n")
        digest.update(name.encode() + b"\0" + raw + b"\0")
    return "sha256:" + digest.hexdigest()


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Part:
    """One knowledge file after reading and schema validation: its records (a tuple for list
    files, the model or None for meta/network), every id it declares, and its problems."""

    value: Any
    declared: frozenset[str]
    problems: tuple[Problem, ...]


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    """The parsed file, or None with an E201 problem when it is missing or not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return parse_yaml(path.name, None, problems)
    except UnicodeDecodeError as exc:
        message = f"The knowledge file is not valid YAML: {exc}"
    except OSError as exc:
        message = f"The knowledge file cannot be read: {exc}"
    else:
        return parse_yaml(path.name, text, problems)
    problems.append(Problem("MBC-E201", path.name, "", "", message))
    return None


def parse_yaml(file: str, text: str | None, problems: list[Problem]) -> Any:
    """The parsed text of ``file`` (None = the file is missing), or None with an E201 problem."""
    if text is None:
        problems.append(Problem("MBC-E201", file, "", "", "The knowledge file is missing"))
        return None
    try:
        return yaml_text(text)
    except yaml.YAMLError as exc:
        problems.append(
            Problem("MBC-E201", file, "", "", f"The knowledge file is not valid YAML: {exc}")
        )
        return None


def _schema_problems(file: str, record: str, exc: ValidationError) -> list[Problem]:
    return [
        Problem(
            "MBC-E202", file, record, ".".join(str(part) for part in error["loc"]), error["msg"]
        )
        for error in exc.errors()
    ]


def _validate_list(
    name: str, raw: Any, model: type[M], problems: list[Problem]
) -> tuple[tuple[M, ...], frozenset[str]]:
    """Valid records plus every id declared in the file (valid or not)."""
    file = f"{name}.yaml"
    if raw is None:
        return (), frozenset()
    if not isinstance(raw, dict) or not isinstance(raw.get(name), list):
        problems.append(
            Problem("MBC-E202", file, "", name, f"The file must hold a top-level '{name}' list")
        )
        return (), frozenset()
    out: list[M] = []
    declared: set[str] = set()
    for index, record in enumerate(raw[name]):
        ident = record.get("id") if isinstance(record, dict) else None
        label = ident if isinstance(ident, str) else f"#{index}"
        if isinstance(ident, str):
            declared.add(ident)
        try:
            out.append(model.model_validate(record))
        except ValidationError as exc:
            problems.extend(_schema_problems(file, label, exc))
    return tuple(out), frozenset(declared)


def _validate_one(name: str, raw: Any, model: type[M], problems: list[Problem]) -> M | None:
    if raw is None:
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_schema_problems(f"{name}.yaml", "", exc))
        return None


def validate_part(name: str, raw: Any, problems: Sequence[Problem] = ()) -> Part:
    """Schema-validate the parsed file ``name`` (a stem of FILES); ``problems`` met reading it
    come first in the part's problems."""
    found = list(problems)
    if name in LIST_FILES:
        records, declared = _validate_list(name, raw, LIST_FILES[name], found)
        return Part(records, declared, tuple(found))
    model = _validate_one(name, raw, ONE_FILES[name], found)
    return Part(model, frozenset(), tuple(found))


def assemble(parts: Mapping[str, Part]) -> tuple[Records, list[Problem]]:
    """Records from one Part per file of FILES, with their problems in file order."""
    problems = [problem for name in FILES for problem in parts[name].problems]
    records = Records(
        meta=parts["meta"].value,
        network=parts["network"].value,
        concepts=parts["concepts"].value,
        source_rules=parts["source_rules"].value,
        declared=MappingProxyType({name: parts[name].declared for name in LIST_FILES}),
        **{name: parts[name].value for name in LIST_FILES},
    )
    return records, problems


def read_part(data_dir: Path, name: str) -> Part:
    problems: list[Problem] = []
    raw = _read_yaml(data_dir / f"{name}.yaml", problems)
    return validate_part(name, raw, problems)


def read_records(data_dir: Path) -> tuple[Records, list[Problem]]:
    """Every record that passes the schema, and every problem met on the way."""
    if not data_dir.is_dir():
        return Records(), [_missing_folder(data_dir)]
    return assemble({name: read_part(data_dir, name) for name in FILES})


def _missing_folder(data_dir: Path) -> Problem:
    return Problem("MBC-E201", str(data_dir), "", "", "The knowledge folder does not exist")


def check_knowledge(path: Path | str | None = None) -> list[Problem]:
    """Every problem in the knowledge base at ``path`` (packaged one by default); [] if sound."""
    data_dir = default_data_dir() if path is None else Path(path)
    if not data_dir.is_dir():
        return [_missing_folder(data_dir)]
    records, problems = read_records(data_dir)
    return problems + run_checks(records)


# ---------------------------------------------------------------- loading


def _by_id(records: tuple[Any, ...]) -> MappingProxyType[str, Any]:
    return MappingProxyType({record.id: record for record in records})


def load_knowledge(path: Path | str | None = None) -> Knowledge:
    """Load, validate and compile the knowledge base at ``path`` (the packaged one by default)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


_DEFAULT: list[Knowledge] = []
"""The packaged knowledge once loaded (or adopted): every caller shares one object."""


def _load_default() -> Knowledge:
    if not _DEFAULT:
        _DEFAULT.append(_load(default_data_dir()))
    return _DEFAULT[0]


def adopt_default(knowledge: Knowledge) -> Knowledge:
    """Make ``knowledge`` what ``load_knowledge()`` returns from now on, unless the packaged
    knowledge is already loaded (then that one is returned). For a caller that kept an earlier
    load of the same packaged files and code (e.g. on disk, ``mbcnav.knowledge_cache``)."""
    if not _DEFAULT:
        _DEFAULT.append(knowledge)
    return _DEFAULT[0]


def _raise(data_dir: Path | str, problems: list[Problem]) -> NoReturn:
    codes = {problem.code for problem in problems}
    code = codes.pop() if len(codes) == 1 else "MBC-E200"
    count = len(problems)
    raise KnowledgeError(
        f"The knowledge base at {data_dir} has {count} problem{'s' if count > 1 else ''} "
        f"(first: {problems[0]}); run 'mbcnav kb check' to list them all",
        code=code,
        problems=problems,
    )


def _load(data_dir: Path) -> Knowledge:
    records, problems = read_records(data_dir)
    if data_dir.is_dir():
        problems += run_checks(records)
    if problems:
        _raise(data_dir, problems)
    return compile_records(records, (), content_hash(data_dir), str(data_dir))


def compile_records(
    records: Records, problems: Sequence[Problem], digest: str, where: str
) -> Knowledge:
    """The immutable Knowledge of sound records; KnowledgeError listing ``problems`` (schema
    and check problems together) when there is any."""
    if problems or records.meta is None or records.network is None:
        _raise(where, list(problems))
    return Knowledge(
        meta=records.meta,
        hash=digest,
        sources=_by_id(records.sources),
        routes=_by_id(records.routes),
        sites=_by_id(records.sites),
        symptoms=_by_id(records.symptoms),
        network=records.network,
        red_flags=_by_id(records.red_flags),
        workup=_by_id(records.workup),
        treatments=_by_id(records.treatments),
        prior_therapies=_by_id(records.prior_therapies),
        concepts=records.concepts or Concepts(),
        treatment_gates=_by_id(records.treatment_gates),
    )


__all__ = [
    "FILES",
    "HASHED_FILES",
    "LIST_FILES",
    "ONE_FILES",
    "Part",
    "adopt_default",
    "assemble",
    "check_knowledge",
    "compile_records",
    "content_hash",
    "default_data_dir",
    "hash_texts",
    "load_knowledge",
    "parse_yaml",
    "read_part",
    "read_records",
    "validate_part",
]
