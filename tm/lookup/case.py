"""The case of a match's translation made to follow the new sentence where the two sources differ
in case as a whole: a headline in capitals matched by one in sentence case, or the reverse. The
match % already leaves case aside (one minor edit); the translation is what a person would
otherwise retype."""

from __future__ import annotations

CAPITALS_ASKED = "case: in capitals, as the new sentence"
CAPITALS_DROPPED = "case: the TM's sentence is in capitals; give names their capitals back"


def match_case(query: str, source: str, target: str) -> tuple[str, list[str]]:
    """The target in the case of the query, with a flag when it was changed: an ALL-CAPS query
    gets an ALL-CAPS target; a query not in capitals, matched to a source and a target in
    capitals, gets the target in sentence case (names lose their capitals, so it is flagged)."""
    if all_caps(query) and not all_caps(source) and not all_caps(target):
        return target.upper(), [CAPITALS_ASKED]
    if all_caps(source) and all_caps(target) and not all_caps(query):
        return sentence_case(target), [CAPITALS_DROPPED]
    return target, []


def all_caps(text: str) -> bool:
    """Written in capitals: two letters or more, none of them small."""
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 2 and not any(char.islower() for char in letters)


def sentence_case(text: str) -> str:
    """Small letters but the first."""
    lower = text.lower()
    first = next((i for i, char in enumerate(lower) if char.isalpha()), None)
    return lower if first is None else lower[:first] + lower[first].upper() + lower[first + 1 :]
