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


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # A unit or place abbreviation after a number or name carries the sentence on.
        (
            "tk",
            "Forum 2024 ý. Aşgabatda geçirildi. Taraplar ylalaşdy.",
            ["Forum 2024 ý. Aşgabatda geçirildi.", "Taraplar ylalaşdy."],
        ),
        (
            "tk",
            "Duşuşyk Aşgabat ş. Türkmenistanyň DIM-inde geçirildi.",
            ["Duşuşyk Aşgabat ş. Türkmenistanyň DIM-inde geçirildi."],
        ),
        (
            "ru",
            "В 2023 г. Туркменистан и Япония подписали соглашение. Затем министры встретились.",
            ["В 2023 г. Туркменистан и Япония подписали соглашение.", "Затем министры встретились."],
        ),
        # ...but a long sentence may end at one.
        (
            "ru",
            "Цель — стать первыми в этой области к 2030 г. «Успех возможен», — сказал он.",
            ["Цель — стать первыми в этой области к 2030 г.", "«Успех возможен», — сказал он."],
        ),
        # A quoted exclamation with its attribution is one sentence.
        (
            "ru",
            "«Мы готовы к сотрудничеству!» – заявил министр. Переговоры продолжились.",
            ["«Мы готовы к сотрудничеству!» – заявил министр.", "Переговоры продолжились."],
        ),
        # Personal names ending like a finite verb are not sentence ends; the verb itself still is.
        ("tk", "Ilçisi Bagtyýar Rejepow gatnaşdy.", ["Ilçisi Bagtyýar Rejepow gatnaşdy."]),
        ("tk", "Şahrýar Kazi bilen duşuşdy.", ["Şahrýar Kazi bilen duşuşdy."]),
        (
            "tk",
            "Ol hyzmatdaşlygy goldaýar Türkmenistan hem goldaýar.",
            ["Ol hyzmatdaşlygy goldaýar", "Türkmenistan hem goldaýar."],
        ),
        # A list closed by "и т.д." ends the sentence before a capital; a lost space is an end.
        (
            "ru",
            "Обсуждались энергетика, транспорт и т.д. Затем стороны подписали меморандум.",
            ["Обсуждались энергетика, транспорт и т.д.", "Затем стороны подписали меморандум."],
        ),
        (
            "ru",
            "Обсуждались вопросы энергетики и т.д. и т.п. в ходе встречи.",
            ["Обсуждались вопросы энергетики и т.д. и т.п. в ходе встречи."],
        ),
        ("tk", "Resminama gowşurdy.Taraplar ylalaşdylar.", ["Resminama gowşurdy.", "Taraplar ylalaşdylar."]),
        ("tk", "Duşuşyga R.Meredow gatnaşdy.", ["Duşuşyga R.Meredow gatnaşdy."]),
    ],
)
def test_real_style_sentences(lang, text, expected):
    assert split(text, lang) == expected
