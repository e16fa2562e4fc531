"""The audit trail: one record per assessment, per card, and per feedback outcome.

Hospital IT asks "which knowledge version said this, to whom, from which input?"; each record
answers that with the request id, time, caller, knowledge version and hash, a hash of the input
and the output itself. SQLite (a file under the data directory) by default, PostgreSQL by URL;
the schema is created and upgraded by Alembic migrations, never by ``create_all``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PURGE_CHANCE = 0.01


class Base(DeclarativeBase):
    pass


class AssessmentRecord(Base):
    __tablename__ = "audit_assessment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(16))
    caller: Mapped[str] = mapped_column(String(200))
    knowledge_version: Mapped[str] = mapped_column(String(32))
    knowledge_hash: Mapped[str] = mapped_column(String(80))
    input_hash: Mapped[str] = mapped_column(String(80))
    output: Mapped[dict[str, Any]] = mapped_column(JSON)


class CardRecord(Base):
    __tablename__ = "audit_card"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("audit_assessment.id"), index=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    caller: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(200))
    knowledge_version: Mapped[str] = mapped_column(String(32))
    knowledge_hash: Mapped[str] = mapped_column(String(80))
    input_hash: Mapped[str] = mapped_column(String(80))
    output: Mapped[dict[str, Any]] = mapped_column(JSON)


class FeedbackRecord(Base):
    __tablename__ = "audit_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_uuid: Mapped[str] = mapped_column(String(64), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    caller: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    outcome_timestamp: Mapped[str | None] = mapped_column(String(40), nullable=True)
    override_reason: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    accepted_suggestions: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)


class AccessRecord(Base):
    """One read of an audited assessment (found or not): record access is itself audited."""

    __tablename__ = "audit_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[str] = mapped_column(String(64), index=True)
    accessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    caller: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    found: Mapped[bool] = mapped_column(Boolean)


class SeenToken(Base):
    """A CDS Hooks JWT id already used; kept until the token would have expired anyway."""

    __tablename__ = "seen_token"

    issuer: Mapped[str] = mapped_column(String(200), primary_key=True)
    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class RawJSON(str):
    """JSON text already serialised (it is the response body), stored without a second pass."""


def dumps(value: Any) -> str:
    """The engine's JSON serialiser: RawJSON passes through, anything else is dumped."""
    if isinstance(value, RawJSON):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def fit(value: Any, length: int) -> str:
    """``value`` as text a column of ``length`` characters holds on SQLite and PostgreSQL alike:
    NUL (which PostgreSQL text refuses) and lone surrogates (which no driver can encode)
    replaced by U+FFFD, and cut to the column's length, so no caller's string yields a 500."""
    return _UNSTORABLE.sub("\ufffd", str(value))[:length]


def token_key(jti: str) -> str:
    """A JWT id as stored for replay checks: as sent when it fits, else its SHA-256 (cutting a
    long id would let two different tokens collide)."""
    if len(jti) <= 200 and not _UNSTORABLE.search(jti):
        return jti
    return "sha256:" + hashlib.sha256(jti.encode("utf-8", "surrogatepass")).hexdigest()


_RECORD_ID = re.compile(r"[0-9a-f-]{36}")
"""The ids this store gives (uuid4): anything else names no record and is not looked up."""


def _optional(value: Any, length: int) -> str | None:
    return None if value is None else fit(value, length)


def input_hash(data: Any) -> str:
    """sha256 of canonical JSON: equal inputs give equal hashes, whatever the key order."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a bare ``postgresql://`` URL (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, json_serializer=dumps
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=8, max_overflow=8, json_serializer=dumps
    )


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """One spelling of a time for every backend (SQLite returns naive UTC datetimes)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class AssessmentEntry:
    """What the caller knows when it records one assessment."""

    request_id: str
    channel: str
    caller: str
    knowledge_version: str
    knowledge_hash: str
    input_hash: str
    output: dict[str, Any] | RawJSON


class AuditStore:
    """Writes and reads audit records; one instance per app, safe across worker threads."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer; threads that collide back off by sleeping (up to 100 ms a
        # turn), so writers in this process queue on a lock instead. PostgreSQL needs none.
        self._write_lock: AbstractContextManager[Any] = (
            threading.Lock() if self.url.startswith("sqlite") else nullcontext()
        )

    def migrate(self) -> None:
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def ping(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar() == 1

    def record_assessment(
        self,
        entry: AssessmentEntry,
        cards: Sequence[dict[str, Any]] = (),
        service_id: str = "",
        record_id: str | None = None,
        card_outputs: Sequence[RawJSON] = (),
    ) -> str:
        """Store one assessment and its cards in one transaction; return the assessment id.
        ``card_outputs``, when given, are the cards as already serialised for the response.

        Core inserts, not ORM objects: this runs on every request, inside the latency budget.
        """
        record_id = record_id or str(uuid.uuid4())
        now = _now()
        common = {
            "request_id": fit(entry.request_id, 64),
            "created_at": now,
            "caller": fit(entry.caller, 200),
            "knowledge_version": entry.knowledge_version,
            "knowledge_hash": entry.knowledge_hash,
            "input_hash": entry.input_hash,
        }
        with self._write_lock, self.engine.begin() as connection:
            connection.execute(
                insert(AssessmentRecord),
                [{**common, "id": record_id, "channel": entry.channel, "output": entry.output}],
            )
            if cards:
                connection.execute(
                    insert(CardRecord),
                    [
                        {
                            **common,
                            "uuid": fit(card["uuid"], 36),
                            "assessment_id": record_id,
                            "service_id": fit(service_id, 64),
                            "indicator": fit(card["indicator"], 16),
                            "summary": fit(card["summary"], 200),
                            "output": output,
                        }
                        for card, output in zip(cards, card_outputs or cards, strict=True)
                    ],
                )
        return record_id

    def remember_token(self, issuer: str, jti: str, expires_at: float) -> bool:
        """Record a token id; False if it was seen before (a replay). Purges expired ids."""
        now = time.time()
        try:
            with self._write_lock, self.engine.begin() as connection:
                if random.random() < PURGE_CHANCE:
                    connection.execute(delete(SeenToken).where(SeenToken.expires_at < now))
                token = {
                    "issuer": fit(issuer, 200),
                    "jti": token_key(jti),
                    "expires_at": expires_at,
                }
                connection.execute(insert(SeenToken), [token])
        except IntegrityError:
            return False
        return True

    def record_feedback(self, service_id: str, caller: str, items: Sequence[dict[str, Any]]) -> int:
        now = _now()
        with self._write_lock, self._session() as session:
            session.add_all(
                FeedbackRecord(
                    card_uuid=fit(item["card"], 64),
                    service_id=fit(service_id, 64),
                    received_at=now,
                    caller=fit(caller, 200),
                    outcome=fit(item["outcome"], 16),
                    outcome_timestamp=_optional(item.get("outcomeTimestamp"), 40),
                    override_reason=item.get("overrideReason"),
                    accepted_suggestions=item.get("acceptedSuggestions"),
                )
                for item in items
            )
        return len(items)

    def assessment(self, record_id: str) -> dict[str, Any] | None:
        if not _RECORD_ID.fullmatch(record_id):
            return None
        with self._session() as session:
            record = session.get(AssessmentRecord, record_id)
            return None if record is None else _assessment_dict(record)

    def read_assessment(
        self, record_id: str, *, caller: str, channel: str
    ) -> dict[str, Any] | None:
        """An audited assessment for a reader; the read itself is recorded, found or not."""
        with self._write_lock, self._session() as session:
            well_formed = _RECORD_ID.fullmatch(record_id) is not None
            record = session.get(AssessmentRecord, record_id) if well_formed else None
            session.add(
                AccessRecord(
                    assessment_id=fit(record_id, 64),
                    accessed_at=_now(),
                    caller=fit(caller, 200),
                    channel=fit(channel, 16),
                    found=record is not None,
                )
            )
            return None if record is None else _assessment_dict(record)

    def accesses(self) -> list[dict[str, Any]]:
        with self._session() as session:
            rows = session.scalars(select(AccessRecord).order_by(AccessRecord.id))
            return [
                {
                    "assessment_id": row.assessment_id,
                    "accessed_at": _iso(row.accessed_at),
                    "caller": row.caller,
                    "channel": row.channel,
                    "found": row.found,
                }
                for row in rows
            ]

    def assessments(self) -> list[dict[str, Any]]:
        with self._session() as session:
            rows = session.scalars(select(AssessmentRecord).order_by(AssessmentRecord.created_at))
            return [_assessment_dict(row) for row in rows]

    def cards(self) -> list[dict[str, Any]]:
        with self._session() as session:
            rows = session.scalars(select(CardRecord).order_by(CardRecord.created_at))
            return [
                {
                    "uuid": row.uuid,
                    "assessment_id": row.assessment_id,
                    "request_id": row.request_id,
                    "service_id": row.service_id,
                    "created_at": _iso(row.created_at),
                    "caller": row.caller,
                    "indicator": row.indicator,
                    "summary": row.summary,
                    "knowledge_hash": row.knowledge_hash,
                    "input_hash": row.input_hash,
                    "output": row.output,
                }
                for row in rows
            ]

    def feedback(self) -> list[dict[str, Any]]:
        with self._session() as session:
            rows = session.scalars(select(FeedbackRecord).order_by(FeedbackRecord.id))
            return [
                {
                    "card": row.card_uuid,
                    "service_id": row.service_id,
                    "caller": row.caller,
                    "outcome": row.outcome,
                    "outcome_timestamp": row.outcome_timestamp,
                    "override_reason": row.override_reason,
                    "accepted_suggestions": row.accepted_suggestions,
                }
                for row in rows
            ]

    def count(self) -> int:
        with self._session() as session:
            return int(session.scalar(select(func.count()).select_from(AssessmentRecord)) or 0)


def _assessment_dict(record: AssessmentRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "request_id": record.request_id,
        "created_at": _iso(record.created_at),
        "channel": record.channel,
        "caller": record.caller,
        "knowledge_version": record.knowledge_version,
        "knowledge_hash": record.knowledge_hash,
        "input_hash": record.input_hash,
        "output": record.output,
    }


__all__ = [
    "AccessRecord",
    "AssessmentEntry",
    "AssessmentRecord",
    "AuditStore",
    "Base",
    "CardRecord",
    "FeedbackRecord",
    "RawJSON",
    "SeenToken",
    "dumps",
    "input_hash",
    "make_engine",
    "migrate",
    "normalise_url",
]
