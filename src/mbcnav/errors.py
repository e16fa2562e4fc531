"""One error tree with stable codes, so callers can act on a code and humans can read the message.

Every message follows one template: what was wrong, what is allowed, what we got::

    [MBC-E103] The 'receptors.her2' value must be one of positive, low, ultralow, zero,
    negative, unknown. Got 'pos' instead.

Code ranges:

- ``E1xx`` input (Patient, findings, labs, text limits)
- ``E2xx`` knowledge base (schema, cross references, versioning)
- ``E3xx`` interop (FHIR, mCODE, CDS Hooks)
- ``E4xx`` batch (rows, formats, resume)
- ``E5xx`` service (authentication, limits)
- ``E6xx`` text reading (encoding, size)

Hierarchy::

    MbcnavError
    ├── InputError        (E1xx, E6xx)
    ├── KnowledgeError    (E2xx)
    ├── InteropError      (E3xx)
    ├── BatchError        (E4xx)
    └── ServiceError      (E5xx)
"""

from __future__ import annotations

from typing import Any

ERROR_TITLES: dict[str, str] = {
    "MBC-E100": "invalid patient",
    "MBC-E101": "empty patient",
    "MBC-E102": "unknown identifier",
    "MBC-E103": "invalid value",
    "MBC-E104": "contradictory findings",
    "MBC-E105": "input too large",
    "MBC-E106": "malformed JSON",
    "MBC-E107": "invalid lab value",
    "MBC-E200": "knowledge base invalid",
    "MBC-E201": "knowledge file missing or unreadable",
    "MBC-E202": "knowledge file does not match its schema",
    "MBC-E203": "duplicate identifier",
    "MBC-E204": "dangling reference",
    "MBC-E205": "missing or unknown source",
    "MBC-E206": "probability out of range",
    "MBC-E207": "required identifier missing",
    "MBC-E208": "estimate without rationale",
    "MBC-E209": "knowledge version or changelog mismatch",
    "MBC-E210": "ambiguous or unsafe lexicon term",
    "MBC-E211": "source without publisher, kind or trusted domain",
    "MBC-E300": "invalid FHIR resource",
    "MBC-E301": "unsupported FHIR resource or profile",
    "MBC-E302": "invalid CDS Hooks request",
    "MBC-E303": "prefetch data unavailable",
    "MBC-E400": "unreadable batch input",
    "MBC-E401": "missing column",
    "MBC-E402": "empty note text",
    "MBC-E403": "bad text encoding",
    "MBC-E404": "note too large",
    "MBC-E405": "bad date",
    "MBC-E406": "unsupported format",
    "MBC-E407": "cannot resume",
    "MBC-E408": "row failed in the engine",
    "MBC-E409": "cannot write output",
    "MBC-E500": "not authenticated",
    "MBC-E501": "invalid token",
    "MBC-E502": "request too large",
    "MBC-E503": "not found",
    "MBC-E504": "service not ready",
    "MBC-E505": "internal error",
    "MBC-E506": "method not allowed",
    "MBC-E507": "unsupported media type",
    "MBC-E508": "not allowed",
    "MBC-E509": "service busy",
    "MBC-E510": "request too slow",
    "MBC-E600": "text too large",
    "MBC-E601": "text is not valid text",
}


def format_message(what: str, allowed: str | None = None, got: Any = None) -> str:
    """Render the one message template: what was wrong, what is allowed, what we got."""
    message = what.rstrip(".")
    if allowed:
        message += f" must be {allowed}"
    message += "."
    if got is not None:
        shown = repr(got)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        message += f" Got {shown} instead."
    return message


class MbcnavError(Exception):
    """Base of every error mbcnav raises on purpose; carries a stable ``code``."""

    default_code = "MBC-E100"

    def __init__(
        self,
        what: str,
        *,
        code: str | None = None,
        allowed: str | None = None,
        got: Any = None,
        field: str | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.field = field
        self.detail = format_message(what, allowed, got)
        super().__init__(f"[{self.code}] {self.detail}")

    @property
    def title(self) -> str:
        """Short name of the error class of this code, for problem-JSON ``title``."""
        return ERROR_TITLES.get(self.code, "error")

    def __reduce__(self) -> tuple[Any, ...]:
        """Errors cross process boundaries (the service's engine processes) with their code:
        the default pickling would call ``__init__`` with the rendered message."""
        return (_restore, (type(self), self.args), dict(self.__dict__))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape batch lines and HTTP problems carry: ``{"code", "message"}``."""
        out: dict[str, Any] = {"code": self.code, "message": self.detail}
        if self.field:
            out["field"] = self.field
        return out


def _restore(cls: type[MbcnavError], args: tuple[Any, ...]) -> MbcnavError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    return error


class InputError(MbcnavError):
    """The caller's patient, text or options cannot be assessed as given."""

    default_code = "MBC-E100"


class KnowledgeError(MbcnavError):
    """The knowledge base is missing, malformed, or inconsistent."""

    default_code = "MBC-E200"

    def __init__(self, what: str, *, problems: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(what, **kwargs)
        self.problems = list(problems or [])


class InteropError(MbcnavError):
    """A FHIR resource or CDS Hooks message cannot be mapped."""

    default_code = "MBC-E300"


class BatchError(MbcnavError):
    """A batch input or output cannot be read, written, or resumed."""

    default_code = "MBC-E400"


class ServiceError(MbcnavError):
    """An HTTP caller is not allowed, or its request breaks the service's limits."""

    default_code = "MBC-E500"


__all__ = [
    "ERROR_TITLES",
    "BatchError",
    "InputError",
    "InteropError",
    "KnowledgeError",
    "MbcnavError",
    "ServiceError",
    "format_message",
]
