from pathlib import Path

import pytest

from tm.errors import TmError
from tm.segment import split


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "R.Meredov met S.Muhriddin. They signed it.", ["R.Meredov met S.Muhriddin.", "They signed it."]),
        ("en", "The U.S. Embassy took part. Talks followed.", ["The U.S. Embassy took part.", "Talks followed."]),
        (
            "en",
            "It was signed on Oct. 30 in Ashgabat. Then they left.",
            ["It was signed on Oct. 30 in Ashgabat.", "Then they left."],
        ),
        (
            "ru",
            "Р.Мередов прибыл в г. Ашхабад. Встреча прошла 30.10.2023.",
            ["Р.Мередов прибыл в г. Ашхабад.", "Встреча прошла 30.10.2023."],
        ),
        (
            "ru",
            "Программа на 2024-2026 гг. Подписана т.е. утверждена.",
            ["Программа на 2024-2026 гг.", "Подписана т.е. утверждена."],
        ),
        (
            "ru",
            "Он сказал: «Мы готовы». Затем Дионисио А. Линд ушёл.",
            ["Он сказал: «Мы готовы».", "Затем Дионисио А. Линд ушёл."],
        ),
        (
            "tk",
            "2023-nji ýylyň 30-njy oktýabrynda R.Meredow duşuşdy. Gurluşyk w.ş.m. Ara alyndy.",
            ["2023-nji ýylyň 30-njy oktýabrynda R.Meredow duşuşdy.", "Gurluşyk w.ş.m. Ara alyndy."],
        ),
        (
            "tk",
            "Olar bilelikde işleýär Soňra maslahat geçirildi.",
            ["Olar bilelikde işleýär", "Soňra maslahat geçirildi."],
        ),
        ("en", "Talks in Ashgabat\nThe ministers met.", ["Talks in Ashgabat", "The ministers met."]),
        ("en", "Why not? “We agree.” Done!", ["Why not?", "“We agree.”", "Done!"]),
    ],
)
def test_split(lang, text, expected):
    assert split(text, lang) == expected


def test_unknown_language_is_an_error():
    with pytest.raises(TmError, match="unknown language"):
        split("text", "de")


def test_benchmark_targets_on_dev_set(shared):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from segment import score_language

    docs = sorted((shared / "eval/align-dev/clean").iterdir())
    recall, precision, _ = score_language(docs, "tk", show_errors=False)
    assert recall >= 0.99 and precision >= 0.97


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Talks in the capital The parties agreed on a plan.", "en", 2),
        ("Встреча в МИД «Туркменистана» Благодаря переговорам стороны подписали план.", "ru", 2),
        ("Meeting With The Ambassador Of Japan", "en", 1),
        ("He lives in The Hague and works there.", "en", 1),
        ("Обсуждались торговля, транспорт и т.д. В пятницу прошла встреча.", "ru", 2),
    ],
)
def test_lost_sentence_ends(text, lang, expected):
    assert len(split(text, lang)) == expected
