"""Exact posterior P(site | findings) in the two-layer noisy-OR network, in log space.

Two exact methods, vectorised over patients, chosen per patient:

* **Quickscore** (Heckerman 1989): absent findings factorise over sites, so the sum over
  the 2^S site configurations collapses into an inclusion–exclusion sum over the 2^k subsets
  of the k *present* findings (cost 2^k·S). Its alternating sum cancels when the present
  findings are improbable together: the absolute error of a posterior is about
  ``ROUNDING · posterior · (Σ|terms| / |Σ terms|)``. We compute that bound for every patient
  and site and keep the result only when it is below ``TOLERANCE``.
* **Enumeration** over the configurations of the sites linked to a present finding (sites
  linked to none are independent given absent findings and updated in closed form; cost
  2^r·(r+k)). All terms are positive, so it is stable to rounding. Patients whose Quickscore
  bound is too loose, or with more than ``MAX_QUICKSCORE_POSITIVES`` present findings, go here,
  grouped by (r, k) so they are vectorised too.

Leave-one-out rows (the explanations) name their patient's row as ``parent``: each row still
takes the method it would take alone, and when it and its parent both go by enumeration it is
read off the parent's table (see :class:`_Derived`) instead of enumerating again; the numbers
agree with computing it alone to rounding (about 1e-15).

The single path is the batched path with one row, so both give the same numbers. A prior of
exactly 1 clamps a site (known disease): its posterior is 1 and it explains findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from mbcnav.reason.network import FloatArray, NetworkTables

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]
Method = Literal["auto", "quickscore", "enumerate"]

MAX_QUICKSCORE_POSITIVES = 12
QUICKSCORE_COST = 64.0
MAX_ENUMERATED_SITES = 24
TOLERANCE = 1e-6
ROUNDING = 16 * float(np.finfo(np.float64).eps)
CHUNK_ELEMENTS = 1 << 21
ROWS_PER_PASS = 1 << 16
FACTOR_BLOCK = 16  # findings multiplied before rescaling: each factor is at least the leak
# From these many sites on, tables are built and summed in two halves (measured faster).
SPLIT_TABLE_SITES = 9
SPLIT_TABLE_MAX = 1 << 17
SPLIT_MARGINAL_SITES = 11


@lru_cache(maxsize=MAX_QUICKSCORE_POSITIVES + 1)
def _subsets(k: int) -> tuple[FloatArray, FloatArray]:
    """All 2^k subsets of k present findings as 0/1 rows, and their signs (-1)^|subset|."""
    codes = np.arange(1 << k)[:, None]
    masks = ((codes >> np.arange(k)) & 1).astype(np.float64)
    signs = np.where(masks.sum(axis=1) % 2 == 0, 1.0, -1.0)
    masks.setflags(write=False)
    signs.setflags(write=False)
    return masks, signs


def _signed_logsumexp(terms: FloatArray, positive: BoolArray) -> tuple[FloatArray, FloatArray]:
    """log Σ ±exp(terms) over axis 1, and log(Σ|terms| / |Σ ±terms|): the cancellation."""
    top = terms.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    scaled = np.exp(terms - top)
    total = scaled.sum(axis=1)
    signed = np.where(positive, scaled, -scaled).sum(axis=1)
    shift = np.squeeze(top, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(signed > 0.0, shift + np.log(signed), np.nan)
        value = np.where(total > 0.0, value, -np.inf)
        lost = np.where(total > 0.0, np.log(total) - np.log(signed), 0.0)
    return value, lost


def _site_factor(s: FloatArray, prior: FloatArray) -> FloatArray:
    """log Σ_{site on/off} P(site) P(all findings in the subset absent | site)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prior >= 1.0, s, np.log1p(prior * np.expm1(s)))


def _quickscore(
    tables: NetworkTables,
    pos: IntArray,
    s_absent: FloatArray,
    leak_absent: FloatArray,
    prior: FloatArray,
) -> tuple[FloatArray, BoolArray]:
    """Posteriors of n patients with the same number k of present findings (pos: n × k),
    and whether each patient's rounding bound is within ``TOLERANCE``."""
    masks, signs = _subsets(pos.shape[1])
    link_t = tables.log1m_link.T
    s = s_absent[:, None, :] + np.einsum("tk,nks->nts", masks, link_t[pos])
    leak = leak_absent[:, None] + np.einsum("tk,nk->nt", masks, tables.log1m_leak[pos])
    factor = _site_factor(s, prior[:, None, :])
    base = leak + factor.sum(axis=2)
    positive = signs > 0
    log_evidence, lost_e = _signed_logsumexp(base, positive[None, :])
    with np.errstate(divide="ignore"):
        log_prior = np.log(prior)
    joint = base[:, :, None] - factor + log_prior[:, None, :] + s
    log_joint, lost_j = _signed_logsumexp(joint, positive[None, :, None])
    with np.errstate(invalid="ignore", over="ignore"):
        post = np.exp(log_joint - log_evidence[:, None])
        bound = ROUNDING * post * (np.exp(lost_j) + np.exp(lost_e)[:, None])
    ok = np.isfinite(log_evidence) & np.all(bound <= TOLERANCE, axis=1)
    return np.clip(np.nan_to_num(post), 0.0, 1.0), ok


def _absent_update(prior: FloatArray, s_absent: FloatArray) -> FloatArray:
    """Per-site posterior given absent findings only (they factorise over sites)."""
    on = prior * np.exp(s_absent)
    free = prior < 1.0  # a known site (prior 1) stays 1, and 0/0 is never computed
    out: FloatArray = np.divide(on, on + (1.0 - prior), out=np.ones_like(on), where=free)
    return out


@lru_cache(maxsize=MAX_ENUMERATED_SITES + 1)
def _configs(r: int) -> FloatArray:
    """All 2^r on/off configurations of r sites as 0/1 rows."""
    table = ((np.arange(1 << r)[:, None] >> np.arange(r)) & 1).astype(np.float64)
    table.setflags(write=False)
    return table


def _doubled(first: FloatArray, on: FloatArray, off: FloatArray) -> FloatArray:
    """Products over the 2^r configurations (site j is bit j of the index): per row, ``first``
    times each site's factor ``on`` (rows × r) when on; the first ``len(off)`` rows also take
    ``off`` (their factor when off). Built as the outer product of two half tables (lower
    and upper sites, doubled together) from ``SPLIT_TABLE_SITES`` sites on, so the full table
    costs one product per entry; a table beyond ``SPLIT_TABLE_MAX`` entries (a big batch) is
    doubled in place, which measured faster there."""
    rows, r = on.shape
    if r < SPLIT_TABLE_SITES or rows << r > SPLIT_TABLE_MAX:
        return _doubling(first, on, off)
    low = (r + 1) // 2
    high = r - low
    factors = np.ones((2, 2 * rows, low))  # [on, off] × [lower rows, upper rows] × site
    factors[0, :rows] = on[:, :low]
    factors[0, rows:, :high] = on[:, low:]
    factors[1, : off.shape[0]] = off[:, :low]
    factors[1, rows : rows + off.shape[0], :high] = off[:, low:]
    start = np.ones(2 * rows)
    start[:rows] = first
    halves = _doubling(start, factors[0], factors[1])
    upper = halves[rows:, : 1 << high, None]
    return (upper * halves[:rows, None, :]).reshape(rows, 1 << r)


def _doubling(first: FloatArray, on: FloatArray, off: FloatArray) -> FloatArray:
    r = on.shape[1]
    table = np.empty((first.shape[0], 1 << r))
    table[:, 0] = first
    with_off = table[: off.shape[0]]
    for j in range(r):
        half = 1 << j
        np.multiply(table[:, :half], on[:, j : j + 1], out=table[:, half : 2 * half])
        with_off[:, :half] *= off[:, j : j + 1]
    return table


def _enumerate_group(
    tables: NetworkTables,
    pos: IntArray,
    rel: IntArray,
    p: FloatArray,
    clamped: FloatArray,
    shared: tuple[FloatArray, IntArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Weights of the 2^r configurations of the r relevant sites of n patients sharing (r, k):
    pos n × k, rel n × r, p n × r their absent-finding update; and P(each present finding on |
    configuration), n × k × 2^r. ``shared`` = (p of m more rows, their patient): rows that
    differ from that patient only in an absent finding share its present-finding factors and
    get weights too (after the n patients', as n + m rows).

    ``clamped`` (n × sites) is 1 for known sites, whose arcs join every present finding's
    baseline. P(finding off) is a product over the sites that are on; each row of weights is
    rescaled to its maximum after every ``FACTOR_BLOCK`` factors, so nothing underflows and
    every term stays positive (relative rounding ≈ eps / leak per factor)."""
    n, r = rel.shape
    k = pos.shape[1]
    link = tables.log1m_link
    keep = np.exp(link[rel[:, None, :], pos[:, :, None]]).reshape(n * k, r)
    base = tables.log1m_leak[pos] + np.einsum("ns,snk->nk", clamped, link[:, pos])
    owner = None
    if shared is not None and shared[1].size:
        p = np.concatenate([p, shared[0]])
        owner = np.concatenate([np.arange(n), shared[1]])
    rows = p.shape[0]
    table = _doubled(
        np.concatenate([np.ones(rows), np.exp(base).reshape(n * k)]),
        np.concatenate([p, keep]),
        1.0 - p,
    )
    weight = table[:rows]
    on = np.subtract(1.0, table[rows:], out=table[rows:]).reshape(n, k, 1 << r)
    for block in range(0, k, FACTOR_BLOCK):
        factor = on[:, block : block + FACTOR_BLOCK, :].prod(axis=1)
        weight *= factor if owner is None else factor[owner]
        weight /= weight.max(axis=1, keepdims=True)
    return weight, on


def _marginals(weight: FloatArray, r: int) -> FloatArray:
    """P(site on) for each of the r sites from configuration weights (n × 2^r): the weights
    summed over the upper sites' bits give the lower sites' marginals, and vice versa (from
    ``SPLIT_MARGINAL_SITES`` sites on; below, one product with the configuration table)."""
    if r < SPLIT_MARGINAL_SITES:
        post = (weight @ _configs(r)) / weight.sum(axis=1, keepdims=True)
        return np.asarray(post, dtype=np.float64)
    low = (r + 1) // 2
    split = weight.reshape(weight.shape[0], 1 << (r - low), 1 << low)
    by_lower = split.sum(axis=1)
    by_upper = split.sum(axis=2)
    on = np.concatenate([by_lower @ _configs(low), by_upper @ _configs(r - low)], axis=1)
    return np.asarray(on / by_lower.sum(axis=1, keepdims=True), dtype=np.float64)


def _relevant(tables: NetworkTables, present: BoolArray, prior: FloatArray) -> BoolArray:
    """Sites linked to a present finding whose prior is neither 0 nor 1 (N × sites)."""
    free = (prior > 0.0) & (prior < 1.0)
    return ((present.astype(np.float64) @ tables.linked.T) > 0) & free


@dataclass(frozen=True)
class _Derived:
    """Rows that leave one finding out of a row enumerated in the same pass (their source),
    sorted by source. They reuse the source's work, exactly:

    * left-out *present* finding: the source's weights with that finding's factor
      P(on | configuration) divided out (positive, since every leak is);
    * left-out *absent* finding: the same present findings, so the same factor table, times
      the row's own site probabilities (its closed-form absent update).

    One table of present-finding factors per patient instead of k + 1."""

    rows: IntArray
    source: IntArray
    column: IntArray
    was_present: BoolArray

    @staticmethod
    def find(
        present: BoolArray, absent: BoolArray, prior: FloatArray, rows: IntArray, parent: IntArray
    ) -> _Derived:
        """Among ``rows`` (enumerated), those whose parent is an enumerated row without a
        parent of its own, with the same prior, and exactly one observed column more."""
        enumerated = np.zeros(present.shape[0], dtype=bool)
        enumerated[rows] = True
        rows = rows[parent[rows] >= 0]
        source = parent[rows]
        # Per column: 1 present, 2 absent (absent is already masked by present).
        codes = present.view(np.int8) + 2 * absent.view(np.int8)
        change = codes[source] - codes[rows]
        changed = change != 0
        column = changed.argmax(axis=1)
        dropped = change[np.arange(rows.size), column]
        ok = (changed.sum(axis=1) == 1) & (dropped > 0) & enumerated[source]
        ok &= (parent[source] < 0) & (prior[rows] == prior[source]).all(axis=1)
        order = np.flatnonzero(ok)[np.argsort(source[ok], kind="stable")]
        return _Derived(rows[order], source[order], column[order], dropped[order] == 1)

    def of(self, sources: IntArray) -> tuple[IntArray, IntArray]:
        """The derived entries whose source is in ``sources``, and that source's position."""
        low = np.searchsorted(self.source, sources, side="left")
        high = np.searchsorted(self.source, sources, side="right")
        if sources.size == 1:
            return np.arange(low[0], high[0]), np.zeros(high[0] - low[0], dtype=np.intp)
        counts = high - low
        local = np.repeat(np.arange(sources.size), counts)
        starts = np.repeat(low - np.cumsum(counts) + counts, counts)
        return starts + np.arange(local.size), local


def _enumerate_rows(
    tables: NetworkTables,
    present: BoolArray,
    updated: FloatArray,
    prior: FloatArray,
    rows: IntArray,
    out: FloatArray,
    absent: BoolArray | None = None,
    parent: IntArray | None = None,
    relevant: BoolArray | None = None,
) -> None:
    """Enumeration for the given rows, grouped by (relevant sites, present findings); rows
    that leave one finding out of another enumerated row (``parent``) reuse its table.
    ``out[rows]`` must hold the rows' absent-finding update (``updated``) on entry.
    ``relevant`` (N × sites, optional): :func:`_relevant` of every row, if already known."""
    if rows.size == 0:
        return
    if relevant is None:
        relevant = np.zeros(prior.shape, dtype=bool)
        relevant[rows] = _relevant(tables, present[rows], prior[rows])
    derived = None
    if parent is not None and absent is not None:
        derived = _Derived.find(present, absent, prior, rows, parent)
        standalone = np.ones(prior.shape[0], dtype=bool)
        standalone[derived.rows] = False
        rows = rows[standalone[rows]]
    sub_present = present[rows]
    clamped = (prior[rows] >= 1.0).astype(np.float64)
    width = present.shape[1] + 1
    keys = relevant[rows].sum(axis=1) * width + sub_present.sum(axis=1)
    for key in sorted(set(keys.tolist())):
        group = np.flatnonzero(keys == key)
        r, k = divmod(int(key), width)
        if r == 0:
            continue
        step = max(1, CHUNK_ELEMENTS // ((1 << r) * (k + r)))
        for start in range(0, group.size, step):
            chunk = group[start : start + step]
            pos = np.nonzero(sub_present[chunk])[1].reshape(chunk.size, k)
            rel = np.nonzero(relevant[rows[chunk]])[1].reshape(chunk.size, r)
            sources = rows[chunk]
            if derived is None:
                p = updated[sources[:, None], rel]
                weight, _ = _enumerate_group(tables, pos, rel, p, clamped[chunk])
                out[sources[:, None], rel] = _marginals(weight, r)
            else:
                _enumerate_with_derived(
                    tables, derived, sources, pos, rel, updated, clamped[chunk], relevant, out
                )


def _enumerate_with_derived(
    tables: NetworkTables,
    derived: _Derived,
    sources: IntArray,
    pos: IntArray,
    rel: IntArray,
    updated: FloatArray,
    clamped: FloatArray,
    relevant: BoolArray,
    out: FloatArray,
) -> None:
    """One group's patients (``sources``) and the rows derived from them."""
    which, local = derived.of(sources)
    by_absent = ~derived.was_present[which]
    absent_rows, absent_local = derived.rows[which[by_absent]], local[by_absent]
    present_rows, present_local = derived.rows[which[~by_absent]], local[~by_absent]
    p = updated[sources[:, None], rel]
    shared = updated[absent_rows[:, None], rel[absent_local]]
    weight, on = _enumerate_group(tables, pos, rel, p, clamped, (shared, absent_local))
    if present_rows.size:
        column = derived.column[which[~by_absent]]
        finding = (pos[present_local] == column[:, None]).argmax(axis=1)
        weight = np.concatenate([weight, weight[present_local] / on[present_local, finding]])
    targets = np.concatenate([sources, absent_rows, present_rows])[:, None]
    sites = rel[np.concatenate([np.arange(sources.size), absent_local, present_local])]
    post = _marginals(weight, rel.shape[1])
    # A site that leaving a present finding out unlinks keeps its closed-form update.
    out[targets, sites] = np.where(relevant[targets, sites], post, out[targets, sites])


def _quickscore_rows(
    tables: NetworkTables,
    present: BoolArray,
    s_absent: FloatArray,
    leak_absent: FloatArray,
    prior: FloatArray,
    rows: IntArray,
    out: FloatArray,
) -> IntArray:
    """Quickscore for the given rows, grouped by k; returns the rows whose bound was loose."""
    if rows.size == 0:
        return rows
    counts = present[rows].sum(axis=1)
    loose: list[IntArray] = [rows[counts > MAX_QUICKSCORE_POSITIVES]]
    for k in np.unique(counts[(counts > 0) & (counts <= MAX_QUICKSCORE_POSITIVES)]):
        group = rows[counts == k]
        step = max(1, CHUNK_ELEMENTS // ((1 << int(k)) * max(1, tables.n_sites)))
        for start in range(0, group.size, step):
            chunk = group[start : start + step]
            pos = np.nonzero(present[chunk])[1].reshape(chunk.size, int(k))
            post, ok = _quickscore(tables, pos, s_absent[chunk], leak_absent[chunk], prior[chunk])
            out[chunk] = post
            loose.append(chunk[~ok])
    return np.concatenate(loose)


def infer_batch(
    tables: NetworkTables,
    present: BoolArray,
    absent: BoolArray,
    prior: FloatArray,
    *,
    method: Method = "auto",
    parent: IntArray | None = None,
) -> FloatArray:
    """Posteriors (N × sites) for N patients: present/absent N × columns, prior N × sites.

    ``method="auto"`` picks, per patient, the cheaper exact method by its operation count
    (enumeration 2^r·(r+k) against Quickscore ``QUICKSCORE_COST``·2^k·S) and re-runs by
    enumeration any patient whose Quickscore rounding bound exceeds ``TOLERANCE``. A single
    method can be forced for measurement ("quickscore" then skips the fallback).

    ``parent`` (optional, N): row i leaves one finding out of row ``parent[i]`` (−1: none), as
    leave-one-out explanations do. It changes no number beyond rounding, only the work: when
    both rows go by enumeration, row i is computed from its parent's table."""
    present = np.asarray(present, dtype=bool)
    absent = np.asarray(absent, dtype=bool)
    prior = np.asarray(prior, dtype=np.float64)
    out = np.empty_like(prior)
    for start in range(0, prior.shape[0], ROWS_PER_PASS):
        rows = slice(start, start + ROWS_PER_PASS)
        local = None if parent is None else _local_parents(parent[rows], start)
        out[rows] = _infer_pass(tables, present[rows], absent[rows], prior[rows], method, local)
    return out


def _local_parents(parent: IntArray, start: int) -> IntArray:
    """Parents as indices into this pass; a parent outside it counts as none."""
    local = np.asarray(parent, dtype=np.intp) - start
    return np.where((local >= 0) & (local < local.size), local, -1)


def _infer_pass(
    tables: NetworkTables,
    present: BoolArray,
    absent: BoolArray,
    prior: FloatArray,
    method: Method,
    parent: IntArray | None = None,
) -> FloatArray:
    """One pass of at most ``ROWS_PER_PASS`` rows, so memory stays bounded for any N."""
    absent = absent & ~present
    s_absent = absent.astype(np.float64) @ tables.log1m_link.T
    updated = _absent_update(prior, s_absent)
    out = updated.copy()
    counts = present.sum(axis=1)
    with_findings = np.flatnonzero(counts > 0)
    if method == "enumerate":
        _enumerate_rows(tables, present, updated, prior, with_findings, out, absent, parent)
        return out
    if method == "quickscore":
        leak_absent = absent.astype(np.float64) @ tables.log1m_leak
        _quickscore_rows(tables, present, s_absent, leak_absent, prior, with_findings, out)
        return np.clip(out, 0.0, 1.0)
    relevant = _relevant(tables, present, prior)
    r = relevant[with_findings].sum(axis=1)
    k = counts[with_findings]
    enumeration_cost = np.exp2(r) * (r + k)
    quickscore_cost = QUICKSCORE_COST * np.exp2(np.minimum(k, 60)) * tables.n_sites
    by_quickscore = with_findings[
        (quickscore_cost < enumeration_cost) & (k <= MAX_QUICKSCORE_POSITIVES)
    ]
    loose = by_quickscore
    if by_quickscore.size:
        leak_absent = absent.astype(np.float64) @ tables.log1m_leak
        loose = _quickscore_rows(tables, present, s_absent, leak_absent, prior, by_quickscore, out)
    enumerated = np.zeros(prior.shape[0], dtype=bool)
    enumerated[with_findings] = True
    enumerated[by_quickscore] = False
    enumerated[loose] = True
    out[loose] = updated[loose]
    enumerated = np.flatnonzero(enumerated)
    _enumerate_rows(tables, present, updated, prior, enumerated, out, absent, parent, relevant)
    return np.clip(out, 0.0, 1.0)


def enumerate_one(
    tables: NetworkTables, present: Sequence[int], absent: Sequence[int], prior: FloatArray
) -> FloatArray:
    """Posteriors of one patient by enumeration alone (the reference for Quickscore)."""
    return _single(tables, present, absent, prior, "enumerate")


def _single(
    tables: NetworkTables,
    present: Sequence[int],
    absent: Sequence[int],
    prior: FloatArray,
    method: Method,
) -> FloatArray:
    width = len(tables.columns)
    row_present = np.zeros((1, width), dtype=bool)
    row_absent = np.zeros((1, width), dtype=bool)
    row_present[0, list(present)] = True
    row_absent[0, list(absent)] = True
    result: FloatArray = infer_batch(
        tables, row_present, row_absent, prior[None, :], method=method
    )[0]
    return result


def infer(
    tables: NetworkTables, present: Sequence[int], absent: Sequence[int], prior: FloatArray
) -> FloatArray:
    """Posteriors for one patient (column indices): the batched path with a single row."""
    return _single(tables, present, absent, prior, "auto")


__all__ = [
    "MAX_QUICKSCORE_POSITIVES",
    "TOLERANCE",
    "enumerate_one",
    "infer",
    "infer_batch",
]
