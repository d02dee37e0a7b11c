"""A model of what reviewers decided, checked against the TM while builds, rebuilds, grouping
arrivals, imports, re-imports, every correction, undo, realign and backup are interleaved
(hypothesis.stateful). After each step: every reviewed unit is present once, under its id, with
its texts, and no other unit is reviewed; an accepted undo is the exact inverse of its
correction; a refused step changes nothing; `tm check` is clean."""

import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.conftest import SAMPLE
from tm import formats, review
from tm.errors import TmError
from tm.jobs import build
from tm.store import TranslationMemory

RELEASES = ("2024-001", "2024-002")
# Sentences of the sample pages, and what a rebuild may find there instead.
REWRITES = [
    ("2024-001", "en", "The parties discussed", "The sides discussed"),
    ("2024-001", "ru", "Стороны обсудили", "Стороны рассмотрели"),
    ("2024-002", "tk", "Türkmenistanyň", "Türkmenistanyň Hormatly"),
]
PAGE = '<html><head><link rel="canonical" href="https://www.mfa.gov.tm/{lang}/news/5"></head><body>{body}</body></html>'
# Grouped pages of one release, under names that put the late Turkmen page first in language order.
ARRIVALS = {"ru": "siteA/page-ru-77.html", "en": "siteB/news-en-12.html", "tk": "siteC/aaa-tk.html"}

Release = tuple[str, str]


class ReviewersAndBuilds(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.corpus = self.folder / "sample"
        for release in RELEASES:
            shutil.copytree(SAMPLE / release, self.corpus / release)
        self.pages = self.folder / "pages"
        for lang in ("ru", "en"):
            self._save_page(lang)
        self.table = self.folder / "terms.csv"
        self.table.write_text("en,tk\nGood morning.,Ertiriňiz haýyrly.\nThank you.,Sag boluň.\n", encoding="utf-8")
        self.encoder = "ngram"
        self.tm = TranslationMemory(self.folder / "tm.db")
        for corpus in (self.corpus, self.pages):
            build(corpus, self.tm, self.encoder)
        self.reviewed: dict[Release, dict[int, dict[str, str]]] = {}  # what people decided, by release
        self.undoable: dict[int, tuple[Release, dict, tuple]] = {}  # correction -> release, decided, state before
        self.edits = 0

    def teardown(self) -> None:
        self.tm.close()
        shutil.rmtree(self.folder)

    def _save_page(self, lang: str) -> None:
        text = (SAMPLE / "2024-003" / f"{lang}.txt").read_text(encoding="utf-8")
        body = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
        path = self.pages / ARRIVALS[lang]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(lang=lang, body=body), encoding="utf-8")

    def _state(self, key: int) -> tuple:
        return tuple(
            self.tm.db.execute(f"SELECT * FROM {table} WHERE release = ? ORDER BY id", (key,)).fetchall()
            for table in ("units", "pair_units")
        )

    def _unchanged_by(self, step) -> None:
        """Run `step`; when it is refused, the TM must be as it was."""
        generation, corrections = self.tm.generation(), len(self.tm.corrections(10_000))
        try:
            step()
        except TmError:
            assert (self.tm.generation(), len(self.tm.corrections(10_000))) == (generation, corrections)

    @rule(data=st.data())
    def correct(self, data) -> None:
        ids = [row[0] for row in self.tm.db.execute("SELECT id FROM units ORDER BY id")]
        unit = self.tm.tri_unit(data.draw(st.sampled_from(ids)))
        action = data.draw(st.sampled_from(review.ACTIONS))
        lang = data.draw(st.sampled_from(sorted(unit.texts)))
        self.edits += 1
        lacking = [code for code in ("tk", "ru", "en") if code not in unit.texts]
        written = lacking[0] if action == "add-language" and lacking else lang
        options = {
            "texts": {written: f"Edited text {self.edits}."},
            "at": {lang: data.draw(st.integers(0, 2))},
            "lang": lang,
            "to": data.draw(st.sampled_from(["next", "previous"])),
            "expect": unit.version,
        }
        release = (unit.collection, unit.release_id)
        before = (release, dict(self.reviewed.get(release, {})), self._state(unit.release))

        def apply() -> None:
            correction = self.tm.correction(review.apply(self.tm, unit.id, action, "anna", **options))
            decided = self.reviewed.setdefault(release, {})
            for gone in correction.before:
                decided.pop(gone["id"], None)
            decided.update({made["id"]: made["texts"] for made in correction.after})
            self.undoable[correction.id] = before

        self._unchanged_by(apply)

    @precondition(lambda self: self.undoable)
    @rule(data=st.data())
    def undo(self, data) -> None:
        correction = data.draw(st.sampled_from(sorted(self.undoable)))
        release, decided, state = self.undoable[correction]

        def undo() -> None:
            review.undo(self.tm, correction, "anna")
            del self.undoable[correction]
            self.reviewed[release] = decided
            assert self._state(self.tm.release_key(*release)) == state  # the exact inverse

        self._unchanged_by(undo)

    @rule(rewrite=st.sampled_from(REWRITES))
    def rebuild_with_a_page_changed(self, rewrite) -> None:
        release, lang, old, new = rewrite
        page = self.corpus / release / f"{lang}.txt"
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(old, new, 1) if old in text else text.replace(new, old, 1), encoding="utf-8")
        build(self.corpus, self.tm, self.encoder)

    @rule()
    def realign_with_the_other_encoder(self) -> None:
        self.encoder = "use" if self.encoder == "ngram" else "ngram"
        build(self.corpus, self.tm, self.encoder, realign=True)

    @precondition(lambda self: not (self.pages / ARRIVALS["tk"]).exists())
    @rule()
    def the_turkmen_version_arrives(self) -> None:
        self._save_page("tk")
        build(self.pages, self.tm, self.encoder)

    @rule(rows=st.integers(0, 2))
    def import_again_with_rows_added(self, rows) -> None:
        with self.table.open("a", encoding="utf-8") as table:
            for _ in range(rows):
                self.edits += 1
                table.write(f"Row {self.edits}.,Setir {self.edits}.\n")
        formats.import_file(self.tm, self.table)

    @rule()
    def backup_holds_the_same_units(self) -> None:
        copy = self.folder / "backup.db"
        self.tm.backup(copy)
        with sqlite3.connect(copy) as backup:
            assert (
                backup.execute("SELECT * FROM units ORDER BY id").fetchall()
                == self.tm.db.execute("SELECT * FROM units ORDER BY id").fetchall()
            )

    @rule()
    def export_then_import_round_trips(self) -> None:
        options = formats.ExportOptions(langs=("en", "tk"))
        first, second = self.folder / "first.tmx", self.folder / "second.tmx"
        written = formats.export_tm(self.tm, first, options)
        with TranslationMemory(":memory:") as fresh:
            formats.import_file(fresh, first)
            assert formats.export_tm(fresh, second, options) == written
            read = [formats.get_format("tmx").read(path, formats.ReadReport()) for path in (first, second)]
            assert [unit.texts for unit in read[0]] == [unit.texts for unit in read[1]]

    @invariant()
    def every_decision_is_kept_and_nothing_else_is_reviewed(self) -> None:
        decided = {unit_id: texts for units in self.reviewed.values() for unit_id, texts in units.items()}
        rows = self.tm.db.execute("SELECT id FROM units WHERE reviewer IS NOT NULL ORDER BY id").fetchall()
        assert [row[0] for row in rows] == sorted(decided)
        for unit_id, texts in decided.items():
            assert self.tm.tri_unit(unit_id).texts == texts

    @invariant()
    def the_tm_is_sound(self) -> None:
        assert self.tm.check() == []


ReviewersAndBuilds.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,  # the same interleavings in every run, so CI cannot pass by luck
    suppress_health_check=[HealthCheck.too_slow],
)
test_reviewers_and_builds = ReviewersAndBuilds.TestCase
