"""Pre-translate a file from the TM and analyse it, as CAT tools do before a job is quoted.

Every segment of a PO, XLIFF (1.2 or 2.0) or plain-text file is looked up (`bridged_lookup`, the
best match). An exact match fills the target as translated; a match at or above the threshold
fills it marked for review, with its match %; anything under it stays empty. A segment already
translated in the file is left as it is; one no lookup can take (written in another script, too
long) counts as no match, and an empty one is not a segment. The analysis counts segments and
words per match band, and the repetitions inside the file (a segment seen before in the same
file), the way Trados and memoQ print it for quoting.

One module per file kind (`po`, `xliff`, `text`) reads the segments and writes them back filled;
this one does the lookups and the counting. The file is written to a temporary name beside the
output and renamed into place, so a failed run leaves no half-written file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tm.errors import InputError, TmError
from tm.files import replacing
from tm.lookup import Match, bridged_lookup, query_problem
from tm.lookup.score import words
from tm.store import TranslationMemory
from tm.terms import exact, find_terms, whole_term

# "term": a segment no match fills that is a term of the termbase, filled with its translation.
BANDS = ("100%", "95-99%", "85-94%", "75-84%", "50-74%", "term", "no match")
_LOWEST = 50


@dataclass(frozen=True)
class TermFill:
    """A segment that is a term, filled from the termbase (what a writer needs of a `Match`)."""

    source: str
    target: str
    ranked: int  # 100 as the termbase writes the term, 90 in another inflection
    flags: list[str]
    origin: str = "the termbase"


@dataclass
class Segment:
    """One segment to translate; `fill` and `terms` are set by pre-translation."""

    source: str
    translated: bool = False  # the file already has a target
    fillable: bool = True  # false where filling would lose inline markup
    fill: Match | TermFill | None = None
    exact: bool = False
    terms: list[str] = field(default_factory=list)  # "term: X = Y" for each term of the source


@dataclass
class Analysis:
    """Segments and words per match band, repetitions, and what was filled."""

    segments: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("repetitions", *BANDS), 0))
    words: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("repetitions", *BANDS), 0))
    already_translated: int = 0
    filled_exact: int = 0
    filled_fuzzy: int = 0
    filled_terms: int = 0

    def as_json(self) -> dict:
        return {
            "bands": {band: {"segments": self.segments[band], "words": self.words[band]} for band in self.segments},
            "already_translated": self.already_translated,
            "filled_exact": self.filled_exact,
            "filled_fuzzy": self.filled_fuzzy,
            "filled_terms": self.filled_terms,
        }

    def as_text(self) -> str:
        lines = [f"{'match':<12}{'segments':>10}{'words':>10}"]
        lines += [f"{band:<12}{self.segments[band]:>10}{self.words[band]:>10}" for band in self.segments]
        lines.append(f"{'total':<12}{sum(self.segments.values()):>10}{sum(self.words.values()):>10}")
        lines.append(
            f"filled: {self.filled_exact} exact, {self.filled_fuzzy} to review, {self.filled_terms} from the termbase;"
            f" already translated: {self.already_translated}"
        )
        return "\n".join(lines)


def band(percent: int | None) -> str:
    if percent is None or percent < _LOWEST:
        return "no match"
    if percent >= 100:
        return "100%"
    for low, name in ((95, "95-99%"), (85, "85-94%"), (75, "75-84%")):
        if percent >= low:
            return name
    return "50-74%"


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".po", ".pot"):
        return "po"
    if suffix in (".xlf", ".xliff"):
        return "xliff"
    if suffix == ".txt":
        return "text"
    raise InputError(f"cannot pre-translate a {suffix or 'suffix-less'} file: give .po, .xlf/.xliff or .txt", path)


def pretranslate(
    tm: TranslationMemory,
    path: Path,
    source: str,
    target: str,
    output: Path,
    threshold: int = 75,
    limit: int | None = None,
) -> Analysis:
    """Fill the targets of `path` from the TM into `output`; returns the analysis. With `limit`,
    a file of more segments than that is refused before any lookup (a server's share of work)."""
    from tm.pretranslate import po, text, xliff

    module = {"po": po, "xliff": xliff, "text": text}[kind_of(Path(path))]
    document = module.read(Path(path), source, target)
    if limit is not None and len(document.segments) > limit:
        raise TmError(
            f"{len(document.segments):,} segments: more than {limit:,} at a time (tm pretranslate takes any)", path
        )
    analysis = _fill(tm, document.segments, source, target, threshold)
    with replacing(Path(output)) as temporary, open(temporary, "wb") as stream:
        module.write(document, stream)
    return analysis


def _fill(tm: TranslationMemory, segments: list[Segment], source: str, target: str, threshold: int) -> Analysis:
    analysis, first = Analysis(), {}
    for segment in segments:
        count = len(words(segment.source))
        if not segment.source.strip():  # nothing to translate (an empty XLIFF source)
            continue
        if segment.translated:
            analysis.already_translated += 1
            continue
        if segment.source in first:  # a repetition gets what its first occurrence got
            earlier = first[segment.source]
            segment.fill, segment.exact, segment.terms = earlier.fill, earlier.exact, earlier.terms
            analysis.segments["repetitions"] += 1
            analysis.words["repetitions"] += count
            continue
        first[segment.source] = segment
        best = None  # a segment no lookup can take (in another script, too long) has no match
        if not query_problem(segment.source, source):
            best = next(iter(bridged_lookup(tm, segment.source, source, target, _LOWEST, 1)), None)
        name = band(best.ranked if best else None)
        if best and best.ranked >= threshold and segment.fillable:
            segment.fill, segment.exact = best, best.ranked >= 100
            analysis.filled_exact += segment.exact
            analysis.filled_fuzzy += not segment.exact
        elif segment.fillable and (term := _term_fill(tm, segment.source, source, target)):
            segment.fill, segment.exact, name = term, term.ranked >= 100 and not term.flags, "term"
            analysis.filled_terms += 1
        if not isinstance(segment.fill, TermFill):
            segment.terms = [
                f"term: {t.found} = {t.translation}" for t in find_terms(tm, segment.source, source, target)
            ]
        analysis.segments[name] += 1
        analysis.words[name] += count
    return analysis


def _term_fill(tm: TranslationMemory, text: str, source: str, target: str) -> TermFill | None:
    """The fill of a segment that is a term of the termbase: exact where the termbase writes it so
    and people approved it; flagged otherwise."""
    match = whole_term(tm, text, source, target)
    if match is None or not match.translation:
        return None
    flags = []
    if match.term.status != "approved":
        flags.append(f"a {match.term.status} term of the termbase: not yet approved")
    if not exact(match, source):
        flags.append(
            f"{match.found!r} is another form of the term {match.term.terms[source]!r}: inflect the translation"
        )
    return TermFill(match.term.terms[source], match.translation, 100 if exact(match, source) else 90, flags)
