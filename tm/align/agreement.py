"""Whether the versions of a release read as translations of each other: the "same release?" check."""

from __future__ import annotations

from tm.align.model import Alignment


def pair_agreement(alignment: Alignment) -> dict[str, float]:
    """Mean confidence of each language pair's beads, gaps counting 0: how well the two versions
    read as translations of each other."""
    return {key: sum(link.confidence for link in links) / len(links) for key, links in alignment.pairs.items() if links}


# Agreement is the mean bead confidence (the expected share of right beads, gaps counting 0).
# The encoder reads Turkmen poorly, so a Turkmen pair agrees less when it is right: on align-dev,
# real Turkmen pairs agree 0.55 or more (freely translated `hard` documents with many gaps),
# real Russian-English ones 0.64 or more; a version of another document in its place mostly
# under 0.1. On the real pages, a release swapped for another about the same visit still agrees
# up to 0.6 in Russian-English, and a Turkmen version up to 0.8 (the content check of tm.jobs
# catches those). With three versions, the odd-one-out test compares a version's best pair with
# the other pair. benchmarks/same_release.py measures the whole check.
MIN_AGREEMENT = {"tk-ru": 0.5, "tk-en": 0.5, "ru-en": 0.62}
ODD_ONE_OUT = 0.5


def mismatched_versions(alignment: Alignment) -> list[str]:
    """Why some version may belong to another release, one line per finding (none when all agree)."""
    agreement = pair_agreement(alignment)
    problems = [
        f"{key.replace('-', ' and ')} read as different texts (agreement {score:.2f})"
        for key, score in agreement.items()
        if score < MIN_AGREEMENT[key]
    ]
    if len(agreement) == 3 and not problems:
        for lang in alignment.sentences:
            own = max(score for key, score in agreement.items() if lang in key.split("-"))
            others = next(score for key, score in agreement.items() if lang not in key.split("-"))
            if own < ODD_ONE_OUT * others:
                problems.append(f"the {lang} version agrees {own:.2f} with the others; they agree {others:.2f}")
    return problems
