"""Compiling the noisy-OR tables from knowledge."""

from __future__ import annotations

import numpy as np
from kbfactory import NEGATION_P, make_knowledge

from mbcnav.reason.network import (
    MISSING_LEAK,
    compile_network,
    mention_column,
    negated_column,
    tables_for,
)


def test_tables_hold_log_one_minus_p_and_setting_scaled_priors() -> None:
    knowledge = make_knowledge(3, 4, seed=2, density=1.0)
    tables = compile_network(knowledge)
    arc = knowledge.network.links[0]
    value = tables.log1m_link[tables.site_index[arc.site], tables.column_index[arc.symptom]]
    assert value == np.log1p(-arc.p)
    scale = {s.setting: s.scale for s in knowledge.network.settings}
    base = knowledge.network.priors[0].metastatic["unknown"]
    assert tables.prior("unknown", "surveillance")[0] == base * scale["surveillance"]
    # a subtype without its own figure falls back to "unknown"
    assert tables.prior("hr_pos_her2_neg", "metastatic")[0] == base


def test_suspected_mentions_become_virtual_columns_when_parameterised() -> None:
    plain = compile_network(make_knowledge(3, 4))
    with_mention = compile_network(make_knowledge(3, 4, mention=True))
    assert mention_column("site:s0") not in plain.column_index
    column = with_mention.column_index[mention_column("site:s0")]
    assert with_mention.log1m_link[0, column] < 0
    assert np.all(with_mention.log1m_link[1:, column] == 0)


def test_negated_mentions_become_virtual_columns_of_their_own_site_only() -> None:
    plain = compile_network(make_knowledge(3, 4, mention=True))
    tables = compile_network(make_knowledge(3, 4, mention=True, negation=True))
    assert negated_column("site:s1") not in plain.column_index
    column = tables.column_index[negated_column("site:s1")]
    assert tables.log1m_link[1, column] == np.log1p(-NEGATION_P)
    assert np.all(np.delete(tables.log1m_link[:, column], 1) == 0)
    assert tables.log1m_leak[column] == np.log1p(-MISSING_LEAK)  # no leak: it would cancel
    assert tables.columns[: len(plain.columns)] == plain.columns


def test_tables_are_cached_per_knowledge_object() -> None:
    knowledge = make_knowledge(3, 4)
    assert tables_for(knowledge) is tables_for(knowledge)
