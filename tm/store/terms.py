"""The termbase's table: entries learned from the units and entries people wrote or reviewed.

A store of its own over the TM's connection and transactions (`tm.termbase`). What people did to
an entry (approved, rejected, edited, added) is kept through every re-extraction: a new candidate
that names what a reviewed entry names in one of its languages is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from tm.errors import NotFound, StoreError
from tm.langs import CODES, fold
from tm.store.records import now

if TYPE_CHECKING:
    from tm.store import TranslationMemory

STATUSES = ("candidate", "approved", "rejected")
_COLUMNS = "id, tk, ru, en, variants, count, score, status, examples, reviewer, reviewed_at"


@dataclass
class Term:
    """A termbase entry: the term per language (dictionary form), other forms, how often."""

    id: int
    terms: dict[str, str]
    variants: dict[str, list[str]] = field(default_factory=dict)
    count: int = 0
    score: float | None = None
    status: str = "candidate"
    examples: list[int] = field(default_factory=list)
    reviewer: str | None = None
    reviewed_at: str | None = None

    def forms(self, lang: str) -> list[str]:
        """The term in `lang` and every other form of it, the term first."""
        if lang not in self.terms:
            return []
        return [self.terms[lang], *(v for v in self.variants.get(lang, []) if v != self.terms[lang])]

    def as_json(self) -> dict:
        return asdict(self)


def _term(row: tuple) -> Term:
    terms = {lang: text for lang, text in zip(CODES, row[1:4], strict=True) if text}
    return Term(row[0], terms, json.loads(row[4]), row[5], row[6], row[7], json.loads(row[8]), row[9], row[10])


def _key(terms: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset((lang, fold(text)) for lang, text in terms.items())


class Termbase:
    """The `terms` table of one TM."""

    def __init__(self, tm: TranslationMemory) -> None:
        self.tm = tm

    def entries(
        self, langs: Iterable[str] = (), status: str | None = None, ids: Iterable[int] | None = None
    ) -> list[Term]:
        """Entries that have a term in every one of `langs`, of `status`, the most frequent first."""
        where, args = [], []
        for lang in langs:
            where.append(f"{lang} IS NOT NULL")
        if status:
            where.append("status = ?")
            args.append(_status(status, self.tm.path))
        if ids is not None:
            ids = list(ids)
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args += ids
        sql = f"SELECT {_COLUMNS} FROM terms {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY count DESC, id"
        return [_term(row) for row in self.tm.db.execute(sql, args)]

    def entry(self, term_id: int) -> Term:
        found = self.entries(ids=[term_id])
        if not found:
            raise NotFound(f"no term {term_id} in the termbase", self.tm.path)
        return found[0]

    def replace_candidates(self, learned: Iterable) -> dict[str, int]:
        """Put learned entries (`terms`, `variants`, `count`, `score`, `examples`) in place of the
        candidates; reviewed entries stay, and a learned entry that names what one of them names
        is left out. Returns how many were stored and how many left out."""
        with self.tm.transaction():
            self.tm.db.execute("DELETE FROM terms WHERE status = 'candidate' AND reviewer IS NULL")
            reviewed = {(lang, fold(term)) for entry in self.entries() for lang, term in entry.terms.items()}
            stored = left_out = 0
            for entry in learned:
                if any((lang, fold(term)) in reviewed for lang, term in entry.terms.items()):
                    left_out += 1
                    continue
                self._insert(entry.terms, entry.variants, entry.count, entry.score, "candidate", entry.examples, None)
                stored += 1
        return {"stored": stored, "kept reviewed": len(self.entries()) - stored, "left out": left_out}

    def add(self, terms: dict[str, str], user: str, variants: dict[str, list[str]] | None = None) -> Term:
        """An entry a person writes: approved from the start."""
        terms = _checked_terms(terms, self.tm.path)
        with self.tm.transaction():
            term_id = self._insert(terms, variants or {}, 0, None, "approved", [], user)
        return self.entry(term_id)

    def review(self, term_id: int, user: str, status: str | None = None, terms: dict[str, str] | None = None) -> Term:
        """Approve, reject or rewrite an entry (`terms` replaces the languages it names)."""
        with self.tm.transaction():
            entry = self.entry(term_id)
            merged = _checked_terms({**entry.terms, **(terms or {})}, self.tm.path)
            self.tm.db.execute(
                "UPDATE terms SET tk = ?, ru = ?, en = ?, status = ?, reviewer = ?, reviewed_at = ? WHERE id = ?",
                (
                    *(merged.get(lang) for lang in CODES),
                    _status(status or entry.status, self.tm.path),
                    user,
                    now(),
                    term_id,
                ),
            )
        return self.entry(term_id)

    def import_entries(self, entries: Iterable[dict], user: str) -> dict[str, int]:
        """Entries read from a file (`terms`, optional `variants` and `status`), all or none: one
        that names in every language what a stored entry names is merged into it, others are added.
        Imported entries count as reviewed by `user`."""
        added = merged = unchanged = 0
        with self.tm.transaction():
            stored = {_key(entry.terms): entry for entry in self.entries()}
            for imported in entries:
                terms = _checked_terms(imported["terms"], self.tm.path)
                status = _status(imported.get("status", "approved"), self.tm.path)
                variants = imported.get("variants") or {}
                same = next((e for key, e in stored.items() if _key(terms) <= key), None)
                if same is None:
                    term_id = self._insert(terms, variants, 0, None, status, [], user)
                    stored[_key(terms)] = self.entry(term_id)
                    added += 1
                    continue
                together = {lang: sorted({*same.variants.get(lang, []), *forms}) for lang, forms in variants.items()}
                if status == same.status and all(together[lang] == same.variants.get(lang, []) for lang in together):
                    unchanged += 1
                    continue
                self.tm.db.execute(
                    "UPDATE terms SET status = ?, variants = ?, reviewer = ?, reviewed_at = ? WHERE id = ?",
                    (status, json.dumps({**same.variants, **together}, ensure_ascii=False), user, now(), same.id),
                )
                merged += 1
        return {"added": added, "merged": merged, "unchanged": unchanged}

    def _insert(self, terms, variants, count, score, status, examples, user) -> int:
        cursor = self.tm.db.execute(
            "INSERT INTO terms (tk, ru, en, variants, count, score, status, examples, reviewer, reviewed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                *(terms.get(lang) for lang in CODES),
                json.dumps(variants, ensure_ascii=False),
                count,
                score,
                status,
                json.dumps(examples),
                user,
                now() if user else None,
            ),
        )
        return cursor.lastrowid


def _status(status: str, path: str) -> str:
    if status not in STATUSES:
        raise StoreError(f"{status!r} is not a term status; use one of {', '.join(STATUSES)}", path)
    return status


def _checked_terms(terms: dict[str, str], path: str) -> dict[str, str]:
    """Terms in our languages, stripped; two languages at least, or there is nothing to translate."""
    cleaned = {lang: " ".join(text.split()) for lang, text in terms.items() if text and text.strip()}
    unknown = sorted(set(cleaned) - set(CODES))
    if unknown:
        raise StoreError(f"unknown language {unknown[0]!r}; use one of {', '.join(CODES)}", path)
    if len(cleaned) < 2:
        raise StoreError("a term needs its text in two languages at least", path)
    return cleaned
