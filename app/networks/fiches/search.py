"""Fiche search for the desk: French stemming (PostgreSQL `french`), accents folded in
Python (no contrib extension needed), plurals through the stemmer, one typo per word
corrected against the vocabulary of the fiches the reader may see.

Per search: one small query for the vocabulary's version, one for the results (a second
when no fiche has all the words), whatever the number of fiches.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.core import tenancy
from app.extensions import db
from app.networks.fiches.models import Fiche
from app.networks.fiches.text import fold, plain_text, words

MAX_QUERY_LENGTH = 200


def search_vector(title: str, phrasings: list[str], first_answer: str, cannot_do: str,
                  details_md: str):
    """The SQL expression of a fiche's search document (weights: title and phrasings A,
    first answer B, the rest C). Texts are folded here, so accents never matter."""

    def part(text: str, weight: str):
        return sa.func.setweight(sa.func.to_tsvector("french", fold(text)),
                                 sa.literal_column(f"'{weight}'"))

    return (part(title + " " + " ".join(phrasings or []), "A")
            .op("||")(part(first_answer, "B"))
            .op("||")(part(cannot_do + " " + plain_text(details_md), "C")))


# --------------------------------------------------------------------------- typo tolerance

class Vocabulary:
    """The words of the visible fiches, with a delete-one-letter index (SymSpell style)."""

    def __init__(self, counts: Counter):
        self.counts = counts
        self.deletes: dict[str, set[str]] = {}
        for word in counts:
            if len(word) < 4:
                continue
            for variant in _deletes(word):
                self.deletes.setdefault(variant, set()).add(word)

    def correct(self, word: str) -> str:
        """The word itself if known (or too short to guess), else the most frequent known
        word at one edit (insertion, deletion, substitution, swap) from it."""
        if word in self.counts or len(word) < 4:
            return word
        candidates: set[str] = set(self.deletes.get(word, ()))  # a letter missing
        for variant in _deletes(word):
            if variant in self.counts:  # a letter too many
                candidates.add(variant)
            candidates |= {w for w in self.deletes.get(variant, ()) if len(w) == len(word)}
        candidates = {c for c in candidates if _one_edit(word, c)}
        if not candidates:
            return word
        return max(candidates, key=lambda c: (self.counts[c], c))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


_cache: dict[tuple, tuple[tuple, Vocabulary]] = {}
_cache_lock = threading.Lock()


def _space_key() -> tuple:
    space = tenancy.require_space()
    return (space.kind, space.tenant_id, space.network_id, space.network_ids)


def vocabulary() -> Vocabulary:
    """The vocabulary of the fiches visible in the current space, rebuilt only when one of
    them changed (checked with one aggregate query)."""
    version = tuple(db.session.execute(
        sa.select(sa.func.count(Fiche.id), sa.func.max(Fiche.updated_at))
        .where(Fiche.status == "published")
    ).one())
    key = _space_key()
    with _cache_lock:
        cached = _cache.get(key)
    if cached and cached[0] == version:
        return cached[1]
    counts: Counter = Counter()
    rows = db.session.execute(
        sa.select(Fiche.title, Fiche.phrasings, Fiche.first_answer, Fiche.cannot_do,
                  Fiche.details_md).where(Fiche.status == "published")
    )
    for title, phrasings, first_answer, cannot_do, details in rows:
        counts.update(words(" ".join([title, " ".join(phrasings or []), first_answer,
                                      cannot_do, plain_text(details)])))
    built = Vocabulary(counts)
    with _cache_lock:
        if len(_cache) > 2000:
            _cache.clear()
        _cache[key] = (version, built)
    return built


# --------------------------------------------------------------------------- search

@dataclass
class SearchResult:
    query: str
    fiches: list[Fiche] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    all_words: bool = True

    @property
    def empty(self) -> bool:
        return not self.fiches


def _tsquery_text(terms: list[str], prefix_last: bool, joiner: str) -> str:
    parts = []
    for i, term in enumerate(terms):
        if prefix_last and i == len(terms) - 1 and len(term) >= 3:
            parts.append(f"{term}:*")
        else:
            parts.append(term)
    return f" {joiner} ".join(parts)


def search(query: str, theme_id: int | None = None, limit: int = 20) -> SearchResult:
    query = (query or "")[:MAX_QUERY_LENGTH]
    result = SearchResult(query=query)
    raw_terms = words(query)
    if not raw_terms:
        return result
    vocab = vocabulary()
    terms = []
    for term in raw_terms:
        fixed = vocab.correct(term)
        if fixed != term:
            result.corrections[term] = fixed
        terms.append(fixed)
    prefix_last = not query.endswith(" ")
    for joiner in ("&", "|"):
        tsquery = sa.func.to_tsquery("french", _tsquery_text(terms, prefix_last, joiner))
        stmt = (
            sa.select(Fiche)
            .options(joinedload(Fiche.theme))
            .where(Fiche.status == "published", Fiche.search_vector.op("@@")(tsquery))
            .order_by(sa.func.ts_rank_cd(Fiche.search_vector, tsquery).desc(), Fiche.title)
            .limit(limit)
        )
        if theme_id:
            stmt = stmt.where(Fiche.theme_id == theme_id)
        result.fiches = list(db.session.scalars(stmt).unique())
        result.all_words = joiner == "&"
        if result.fiches or len(terms) == 1:
            break
    return result
