"""Units that mean the same as a sentence no fuzzy match finds, by the encoder's cosine."""

from __future__ import annotations

import numpy as np

from tm.embed import Encoder
from tm.lookup.checks import check_query
from tm.lookup.fuzzy import Match
from tm.lookup.views import index_for, provenance
from tm.store import TranslationMemory

# Below this cosine a "same meaning" offer is noise (unrelated sentences reach 0.1-0.3).
SEMANTIC_MIN = 0.5


def semantic_lookup(
    tm: TranslationMemory,
    query: str,
    source: str,
    target: str,
    encoder: Encoder,
    top: int = 5,
    min_similarity: float = SEMANTIC_MIN,
) -> list[Match]:
    """Units whose `source` side means what `query` says, by cosine similarity of the encoder's
    embeddings (percent = similarity * 100, marked `semantic`), none under `min_similarity`; for
    when fuzzy lookup finds nothing. Every entry is encoded, so give a cached encoder
    (`tm.embed.CachedEncoder`) for a large TM."""
    check_query(query, source)
    best = [
        units[0]
        for layer in index_for(tm, source, target).layers
        for units in provenance(tm, layer, list(range(len(layer))), source, target, None).values()
        if units
    ]
    if not best:
        return []
    scores = encoder.encode([u.texts[source] for u in best]) @ encoder.encode([query])[0]
    return [
        Match(
            round(100 * max(0.0, float(scores[i]))),
            0.0,
            best[i].texts[source],
            best[i].texts[target],
            "",
            best[i],
            [],
            [],
            "semantic",
        )
        for i in np.argsort(-scores)[:top]
        if scores[i] >= min_similarity
    ]
