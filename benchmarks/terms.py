"""The termbase learned from a TM, checked against CLDR's country names (the `babel` package).

For every country whose English CLDR name stands in at least two units of the TM, the entry for
that English name must give CLDR's Russian and Turkmen name, as its term or one of its variants
(case-insensitive, ё as е). The baseline, measured in the same run, links the terms as the texts
write them, without dictionary forms. Also prints the top entries, for checking by eye.
The TM is built from align-dev (clean and hard) unless --tm names one.
Run: python benchmarks/terms.py [--tm FILE] [--top 200]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from babel import Locale

from tm.langs import fold
from tm.store import TranslationMemory
from tm.terms.extract import extract

sys.path.insert(0, str(Path(__file__).parent))
from build import corpus_of_align_dev


def countries_in(units: list[tuple[int, dict[str, str]]]) -> dict[str, dict[str, str]]:
    """English CLDR name -> {"ru": ..., "tk": ...} for countries named in two units or more."""
    names = {lang: Locale(lang).territories for lang in ("en", "ru", "tk")}
    english = [texts["en"] for _, texts in units if "en" in texts]
    found = {}
    for code, name in names["en"].items():
        if len(code) != 2 or not code.isalpha() or code not in names["ru"] or code not in names["tk"]:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        if sum(1 for text in english if pattern.search(text)) >= 2:
            found[name] = {"ru": names["ru"][code], "tk": names["tk"][code]}
    return found


def coverage(entries, countries: dict[str, dict[str, str]]) -> dict[str, float]:
    by_english = {fold(e.terms["en"]): e for e in entries if "en" in e.terms}
    right = {"ru": 0, "tk": 0}
    for name, expected in countries.items():
        entry = by_english.get(fold(name))
        for lang in right:
            if entry and lang in entry.terms:
                forms = {fold(entry.terms[lang]), *map(fold, entry.variants.get(lang, []))}
                right[lang] += fold(expected[lang]) in forms
    return {lang: count / max(len(countries), 1) for lang, count in right.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tm", type=Path)
    parser.add_argument("--top", type=int, default=200)
    args = parser.parse_args()
    print(f"command: python benchmarks/terms.py{f' --tm {args.tm}' if args.tm else ''} --top {args.top}")
    with tempfile.TemporaryDirectory() as temporary:
        path = args.tm or _dev_tm(Path(temporary))
        with TranslationMemory(path, create=False) as tm:
            units = [(unit.id, unit.texts) for unit in tm.units()]
    countries = countries_in(units)
    started = time.perf_counter()
    entries = extract(units)
    seconds = time.perf_counter() - started
    baseline = coverage(extract(units, dictionary_forms=False), countries)
    found = coverage(entries, countries)
    print(f"{len(units)} units, {len(entries)} entries in {seconds:.1f} s; {len(countries)} countries in 2+ units")
    for lang in ("ru", "tk"):
        print(f"CLDR {lang} name given: {found[lang]:.1%} (baseline, forms as written: {baseline[lang]:.1%})")
    by_english = {fold(e.terms["en"]): e for e in entries if "en" in e.terms}
    for name, expected in sorted(countries.items()):
        entry = by_english.get(fold(name))
        print(f"  {name}: CLDR {expected['ru']} / {expected['tk']}; TM {entry.terms if entry else None}")
    print(f"top {args.top} entries (count, terms):")
    for entry in entries[: args.top]:
        print(f"  {entry.count:4d}  " + " | ".join(f"{lang} {term}" for lang, term in entry.terms.items()))
    return 0


def _dev_tm(root: Path) -> Path:
    from tm.jobs import build

    corpus = corpus_of_align_dev(root)
    with TranslationMemory(root / "tm.db") as tm:
        build(corpus, tm, "use", 1, cache=root / "embeddings.sqlite")
    return root / "tm.db"


if __name__ == "__main__":
    sys.exit(main())
