"""Audit tables: assessments, cards, feedback.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_assessment",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("caller", sa.String(200), nullable=False),
        sa.Column("knowledge_version", sa.String(32), nullable=False),
        sa.Column("knowledge_hash", sa.String(80), nullable=False),
        sa.Column("input_hash", sa.String(80), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
    )
    op.create_table(
        "audit_card",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column(
            "assessment_id",
            sa.String(36),
            sa.ForeignKey("audit_assessment.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("request_id", sa.String(64), nullable=False, index=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller", sa.String(200), nullable=False),
        sa.Column("indicator", sa.String(16), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("knowledge_version", sa.String(32), nullable=False),
        sa.Column("knowledge_hash", sa.String(80), nullable=False),
        sa.Column("input_hash", sa.String(80), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
    )
    op.create_table(
        "audit_feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("card_uuid", sa.String(64), nullable=False, index=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("outcome_timestamp", sa.String(40), nullable=True),
        sa.Column("override_reason", sa.JSON(), nullable=True),
        sa.Column("accepted_suggestions", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_feedback")
    op.drop_table("audit_card")
    op.drop_table("audit_assessment")
