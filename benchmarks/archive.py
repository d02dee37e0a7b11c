"""A ministry-style archive of any size: formulaic trilingual releases, as the real pages have them.

The ministry's releases are written from a few dozen formulas ("On 12 February 2024, Minister
of Foreign Affairs of Turkmenistan R.Meredov met with the Ambassador of Mongolia B.Ganbold."), so
thousands of units share a sentence's template and differ in a date, a name with its initial,
a country, an organisation or a number, in the case forms each language needs (Russian
genitive and instrumental, Turkmen genitive and locative by vowel harmony). This generator
writes releases of 4-8 such sentences in Turkmen, Russian and English from 14 templates, with
an alignment confidence per unit and a date per release; deterministic by seed.

Use it as a library (`releases`, `store`, `queries`) or write a TM:
    python benchmarks/archive.py --units 100000 -o archive.db
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

BACK, FRONT = set("aouy"), set("eäiöü")
FIRST_DAY, YEARS = date(2012, 1, 3), 15
# English, English adjective, Russian nominative, genitive, instrumental, prepositional, adjective stem, Turkmen.
COUNTRIES = [
    ("Mongolia", "Mongolian", "Монголия", "Монголии", "Монголией", "Монголии", "монгольск", "Mongoliýa"),
    ("Japan", "Japanese", "Япония", "Японии", "Японией", "Японии", "японск", "Ýaponiýa"),
    ("China", "Chinese", "Китай", "Китая", "Китаем", "Китае", "китайск", "Hytaý"),
    ("Germany", "German", "Германия", "Германии", "Германией", "Германии", "германск", "Germaniýa"),
    ("France", "French", "Франция", "Франции", "Францией", "Франции", "французск", "Fransiýa"),
    ("Turkey", "Turkish", "Турция", "Турции", "Турцией", "Турции", "турецк", "Türkiýe"),
    ("Iran", "Iranian", "Иран", "Ирана", "Ираном", "Иране", "иранск", "Eýran"),
    ("Russia", "Russian", "Россия", "России", "Россией", "России", "российск", "Russiýa"),
    ("India", "Indian", "Индия", "Индии", "Индией", "Индии", "индийск", "Hindistan"),
    ("Pakistan", "Pakistani", "Пакистан", "Пакистана", "Пакистаном", "Пакистане", "пакистанск", "Pakistan"),
    ("Afghanistan", "Afghan", "Афганистан", "Афганистана", "Афганистаном", "Афганистане", "афганск", "Owganystan"),
    ("Kazakhstan", "Kazakh", "Казахстан", "Казахстана", "Казахстаном", "Казахстане", "казахстанск", "Gazagystan"),
    ("Uzbekistan", "Uzbek", "Узбекистан", "Узбекистана", "Узбекистаном", "Узбекистане", "узбекск", "Özbegistan"),
    (
        "Azerbaijan",
        "Azerbaijani",
        "Азербайджан",
        "Азербайджана",
        "Азербайджаном",
        "Азербайджане",
        "азербайджанск",
        "Azerbaýjan",
    ),
    ("Georgia", "Georgian", "Грузия", "Грузии", "Грузией", "Грузии", "грузинск", "Gürjüstan"),
    ("Italy", "Italian", "Италия", "Италии", "Италией", "Италии", "итальянск", "Italiýa"),
    ("Spain", "Spanish", "Испания", "Испании", "Испанией", "Испании", "испанск", "Ispaniýa"),
    ("Korea", "Korean", "Корея", "Кореи", "Кореей", "Корее", "корейск", "Koreýa"),
    ("Belarus", "Belarusian", "Беларусь", "Беларуси", "Беларусью", "Беларуси", "белорусск", "Belarus"),
    ("Austria", "Austrian", "Австрия", "Австрии", "Австрией", "Австрии", "австрийск", "Awstriýa"),
    ("Hungary", "Hungarian", "Венгрия", "Венгрии", "Венгрией", "Венгрии", "венгерск", "Wengriýa"),
    ("Poland", "Polish", "Польша", "Польши", "Польшей", "Польше", "польск", "Polşa"),
    ("Egypt", "Egyptian", "Египет", "Египта", "Египтом", "Египте", "египетск", "Müsür"),
    ("Qatar", "Qatari", "Катар", "Катара", "Катаром", "Катаре", "катарск", "Katar"),
    ("Oman", "Omani", "Оман", "Омана", "Оманом", "Омане", "оманск", "Oman"),
    ("Malaysia", "Malaysian", "Малайзия", "Малайзии", "Малайзией", "Малайзии", "малайзийск", "Malaýziýa"),
    ("Indonesia", "Indonesian", "Индонезия", "Индонезии", "Индонезией", "Индонезии", "индонезийск", "Indoneziýa"),
    ("Vietnam", "Vietnamese", "Вьетнам", "Вьетнама", "Вьетнамом", "Вьетнаме", "вьетнамск", "Wýetnam"),
    ("Finland", "Finnish", "Финляндия", "Финляндии", "Финляндией", "Финляндии", "финляндск", "Finlýandiýa"),
    ("Tajikistan", "Tajik", "Таджикистан", "Таджикистана", "Таджикистаном", "Таджикистане", "таджикск", "Täjigistan"),
]
# Surnames as each language writes them (Latin Turkmen uses w for в, ž, ç, ş, ý).
SURNAMES = [
    ("Meredov", "Мередов", "Meredow"),
    ("Hajiyev", "Гаджиев", "Hajyýew"),
    ("Ganbold", "Ганболд", "Ganbold"),
    ("Suzuki", "Судзуки", "Suzuki"),
    ("Wang", "Ван", "Wan"),
    ("Muller", "Мюллер", "Müller"),
    ("Lefebvre", "Лефевр", "Lefewr"),
    ("Yilmaz", "Йылмаз", "Ýylmaz"),
    ("Rahimi", "Рахими", "Rahimi"),
    ("Ivanov", "Иванов", "Iwanow"),
    ("Sharma", "Шарма", "Şarma"),
    ("Khan", "Хан", "Han"),
    ("Karimov", "Каримов", "Karimow"),
    ("Aliyev", "Алиев", "Aliýew"),
    ("Beridze", "Беридзе", "Beridze"),
    ("Rossi", "Росси", "Rossi"),
    ("Garcia", "Гарсия", "Garsiýa"),
    ("Kim", "Ким", "Kim"),
    ("Novak", "Новак", "Nowak"),
    ("Hassan", "Хассан", "Hassan"),
    ("Nguyen", "Нгуен", "Nguýen"),
    ("Virtanen", "Виртанен", "Wirtanen"),
    ("Rahmonov", "Рахмонов", "Rahmonow"),
    ("Orazov", "Оразов", "Orazow"),
    ("Atayev", "Атаев", "Ataýew"),
    ("Berdiyev", "Бердыев", "Berdiýew"),
    ("Nurmuhamedov", "Нурмухамедов", "Nurmuhamedow"),
]
INITIALS = [
    ("A", "А"),
    ("B", "Б"),
    ("D", "Д"),
    ("G", "Г"),
    ("K", "К"),
    ("M", "М"),
    ("N", "Н"),
    ("R", "Р"),
    ("S", "С"),
    ("T", "Т"),
    ("O", "О"),
    ("E", "Э"),
    ("V", "В"),
    ("Y", "Ю"),
]
MONTHS = [
    ("January", "января", "ýanwar"),
    ("February", "февраля", "fewral"),
    ("March", "марта", "mart"),
    ("April", "апреля", "aprel"),
    ("May", "мая", "maý"),
    ("June", "июня", "iýun"),
    ("July", "июля", "iýul"),
    ("August", "августа", "awgust"),
    ("September", "сентября", "sentýabr"),
    ("October", "октября", "oktýabr"),
    ("November", "ноября", "noýabr"),
    ("December", "декабря", "dekabr"),
]
# English, Russian genitive, Turkmen, Turkmen genitive.
ORGANISATIONS = [
    ("UN", "ООН", "BMG", "BMG-niň"),
    ("OSCE", "ОБСЕ", "ÝHHG", "ÝHHG-niň"),
    ("ECO", "ОЭС", "YHG", "YHG-nyň"),
    ("CIS", "СНГ", "GDA", "GDA-nyň"),
    ("OIC", "ОИС", "IHG", "IHG-nyň"),
    ("UNESCO", "ЮНЕСКО", "ÝUNESKO", "ÝUNESKO-nyň"),
    ("SCO", "ШОС", "ŞHG", "ŞHG-nyň"),
    ("European Union", "Европейского союза", "Ýewropa Bileleşigi", "Ýewropa Bileleşiginiň"),
]
# English; Russian instrumental, dative, genitive; Turkmen (after the country's genitive).
TITLES = [
    ("Ambassador", "Послом", "Послу", "Посла", "ilçisi"),
    (
        "Deputy Minister of Foreign Affairs",
        "заместителем министра иностранных дел",
        "заместителю министра иностранных дел",
        "заместителя министра иностранных дел",
        "daşary işler ministriniň orunbasary",
    ),
    (
        "Special Representative",
        "Специальным представителем",
        "Специальному представителю",
        "Специального представителя",
        "ýörite wekili",
    ),
    (
        "Minister of Foreign Affairs",
        "Министром иностранных дел",
        "Министру иностранных дел",
        "Министра иностранных дел",
        "daşary işler ministri",
    ),
    (
        "Chairman of the Parliament",
        "Председателем Парламента",
        "Председателю Парламента",
        "Председателя Парламента",
        "Parlamentiniň Başlygy",
    ),
]
FIELDS = [
    ("energy", "энергетики", "energetika"),
    ("transport", "транспорта", "ulag"),
    ("education", "образования", "bilim"),
    ("culture", "культуры", "medeniýet"),
    ("health care", "здравоохранения", "saglygy goraýyş"),
    ("agriculture", "сельского хозяйства", "oba hojalygy"),
    ("trade", "торговли", "söwda"),
    ("tourism", "туризма", "syýahatçylyk"),
]


def _harmony(word: str) -> str:
    """'a' for a Turkmen word whose last vowel is back, 'e' for front."""
    for letter in reversed(word.lower()):
        if letter in BACK:
            return "a"
        if letter in FRONT:
            return "e"
    return "a"


def genitive(word: str) -> str:
    """Turkmen genitive: -yň/-iň after a consonant, -nyň/-niň after a vowel."""
    back = _harmony(word) == "a"
    vowel = word[-1].lower() in BACK | FRONT
    return word + ("n" if vowel else "") + ("yň" if back else "iň")


def locative(word: str) -> str:
    """Turkmen locative: -da/-de."""
    return word + ("da" if _harmony(word) == "a" else "de")


# The last vowel of each number word decides the ordinal's suffix: bir, iki, üç ... alty, ýedi,
# sekiz, dokuz; on, ýigrimi, otuz, kyrk, elli, altmyş, ýetmiş, segsen, togsan; ýüz; müň.
_UNITS_BACK, _TENS_BACK = {6, 9}, {1, 3, 4, 6, 9}


def ordinal_tk(number: int) -> str:
    """A number with the Turkmen ordinal suffix, as dates are written: 5-nji, 6-njy, 30-njy, 2024-nji."""
    if number % 10:
        back = number % 10 in _UNITS_BACK
    elif number % 100:
        back = number % 100 // 10 in _TENS_BACK
    else:
        back = False  # ýüz, müň
    return f"{number}-{'njy' if back else 'nji'}"


def month_tk(month: str) -> str:
    """A Turkmen month in a date ("12-nji fewralynda"): the possessive locative by vowel harmony."""
    return month + ("ynda" if _harmony(month) == "a" else "inde")


def _slots(rng: random.Random, day: date) -> dict[str, str]:
    country = rng.choice(COUNTRIES)
    surname, initial = rng.choice(SURNAMES), rng.choice(INITIALS)
    title, org, field = rng.choice(TITLES), rng.choice(ORGANISATIONS), rng.choice(FIELDS)
    month = MONTHS[day.month - 1]
    n, k = rng.randint(2, 30), rng.randint(2, 25)
    return {
        "d": str(day.day),
        "y": str(day.year),
        "d_tk": ordinal_tk(day.day),
        "y_tk": ordinal_tk(day.year),
        "M_tk_in": month_tk(month[2]),
        "M_tk_loc": locative(month[2]),
        "M": month[0],
        "M_ru": month[1],
        "M_tk": month[2],
        "c": country[0],
        "c_adj": country[1],
        "c_ru": country[2],
        "c_ru_gen": country[3],
        "c_ru_ins": country[4],
        "c_ru_prep": country[5],
        "c_ru_adj": country[6],
        "c_tk": country[7],
        "c_tk_gen": genitive(country[7]),
        "c_tk_loc": locative(country[7]),
        "p": f"{initial[0]}.{surname[0]}",
        "p_ru": f"{initial[1]}.{surname[1]}",
        "p_tk": f"{initial[0]}.{surname[2]}",
        "t": title[0],
        "t_ru": title[1],
        "t_ru_dat": title[2],
        "t_ru_gen": title[3],
        "t_tk": title[4],
        "o": org[0],
        "o_ru": org[1],
        "o_tk": org[2],
        "o_tk_gen": org[3],
        "f": field[0],
        "f_ru": field[1],
        "f_tk": field[2],
        "n": str(n),
        "n_tk": ordinal_tk(n),
        "k": str(k),
        "th": {1: "st", 2: "nd", 3: "rd"}.get(n % 10 * (n // 10 != 1), "th"),
    }


# (English, Russian, Turkmen) formulas.
TEMPLATES = [
    (
        "On {d} {M} {y}, Minister of Foreign Affairs of Turkmenistan R.Meredov met with the {t} of {c} {p}.",
        "{d} {M_ru} {y} года Министр иностранных дел Туркменистана Р.Мередов встретился с {t_ru} {c_ru_gen} {p_ru}.",
        "{y_tk} ýylyň {d_tk} {M_tk_in} Türkmenistanyň Daşary işler ministri R.Meredow {c_tk_gen} {t_tk} {p_tk} "
        "bilen duşuşdy.",
    ),
    (
        "On {d} {M} {y}, political consultations between the Ministries of Foreign Affairs of Turkmenistan and {c} "
        "were held in Ashgabat.",
        "{d} {M_ru} {y} года в Ашхабаде состоялись политические консультации между министерствами иностранных дел "
        "Туркменистана и {c_ru_gen}.",
        "{y_tk} ýylyň {d_tk} {M_tk_in} Aşgabatda Türkmenistanyň we {c_tk_gen} daşary işler ministrlikleriniň "
        "arasynda syýasy geňeşmeler geçirildi.",
    ),
    (
        "The {n}{th} meeting of the Intergovernmental Turkmen-{c_adj} Commission on Economic Cooperation took place "
        "in {c}.",
        "В {c_ru_prep} состоялось {n}-е заседание Межправительственной туркмено-{c_ru_adj}ой комиссии по "
        "экономическому сотрудничеству.",
        "{c_tk_loc} Türkmen-{c_tk} ykdysady hyzmatdaşlyk boýunça hökümetara toparynyň {n_tk} mejlisi geçirildi.",
    ),
    (
        "Following the talks, the parties signed {k} documents, including an agreement on cooperation in the field "
        "of {f}.",
        "По итогам переговоров стороны подписали {k} документов, в том числе соглашение о сотрудничестве в области "
        "{f_ru}.",
        "Gepleşikleriň jemleri boýunça taraplar {k} resminama, şol sanda {f_tk} ulgamynda hyzmatdaşlyk etmek "
        "hakynda ylalaşyga gol çekdiler.",
    ),
    (
        "The President of Turkmenistan sent a congratulatory message to {p}, {t} of {c}, on the occasion of the "
        "national holiday.",
        "Президент Туркменистана направил поздравительное послание {t_ru_dat} {c_ru_gen} {p_ru} по случаю "
        "национального праздника.",
        "Türkmenistanyň Prezidenti milli baýramy mynasybetli {c_tk_gen} {t_tk} {p_tk} gutlag hatyny iberdi.",
    ),
    (
        "On {d} {M} {y}, the delegation of Turkmenistan took part in the {n}{th} session of the {o} in New York.",
        "{d} {M_ru} {y} года делегация Туркменистана приняла участие в {n}-й сессии {o_ru} в Нью-Йорке.",
        "{y_tk} ýylyň {d_tk} {M_tk_in} Türkmenistanyň wekiliýeti Nýu-Ýorkda {o_tk_gen} {n_tk} sessiýasyna gatnaşdy.",
    ),
    (
        "On {d} {M}, a delegation of Turkmenistan arrived in {c} on a working visit.",
        "{d} {M_ru} делегация Туркменистана прибыла с рабочим визитом в {c_ru}.",
        "{d_tk} {M_tk_loc} Türkmenistanyň wekiliýeti iş sapary bilen {c_tk} geldi.",
    ),
    (
        "A briefing for the heads of diplomatic missions accredited in Turkmenistan was held at the Ministry on "
        "{d} {M} {y}.",
        "{d} {M_ru} {y} года в Министерстве состоялся брифинг для глав дипломатических миссий, аккредитованных в "
        "Туркменистане.",
        "{y_tk} ýylyň {d_tk} {M_tk_in} Ministrlikde Türkmenistanda işleýän diplomatik wekilhanalaryň "
        "ýolbaşçylary üçin brifing geçirildi.",
    ),
    (
        "The parties discussed the state and prospects of Turkmen-{c_adj} cooperation in the political, "
        "diplomatic, trade and economic spheres.",
        "Стороны обсудили состояние и перспективы туркмено-{c_ru_adj}ого сотрудничества в политической, "
        "дипломатической и торгово-экономической сферах.",
        "Taraplar türkmen-{c_tk} hyzmatdaşlygynyň syýasy, diplomatik, söwda-ykdysady ugurlarda ýagdaýyny we "
        "geljegini ara alyp maslahatlaşdylar.",
    ),
    (
        "The sides noted the important role of the {o} in ensuring peace and security in the region.",
        "Стороны отметили важную роль {o_ru} в обеспечении мира и безопасности в регионе.",
        "Taraplar sebitde parahatçylygy we howpsuzlygy üpjün etmekde {o_tk_gen} möhüm ornuny bellediler.",
    ),
    (
        "During the meeting, the parties exchanged views on regional and international issues.",
        "В ходе встречи стороны обменялись мнениями по региональным и международным вопросам.",
        "Duşuşygyň dowamynda taraplar sebit we halkara meseleleri boýunça pikir alyşdylar.",
    ),
    (
        "The trade turnover between Turkmenistan and {c} grew by {k} percent in {y}.",
        "Товарооборот между Туркменистаном и {c_ru_ins} в {y} году вырос на {k} процентов.",
        "{y_tk} ýylda Türkmenistan bilen {c_tk} arasyndaky söwda dolanyşygy {k} göterim artdy.",
    ),
    (
        "{p} presented a copy of his credentials as the {t} of {c} to Turkmenistan.",
        "{p_ru} вручил копию верительных грамот в качестве {t_ru_gen} {c_ru_gen} в Туркменистане.",
        "{p_tk} {c_tk_gen} Türkmenistandaky {t_tk} hökmünde ynanç hatlarynyň nusgasyny gowşurdy.",
    ),
    (
        "The {n}{th} round of consultations on consular issues between Turkmenistan and {c} was held on {d} {M}.",
        "{d} {M_ru} состоялся {n}-й раунд консультаций по консульским вопросам между Туркменистаном и {c_ru_ins}.",
        "{d_tk} {M_tk_loc} Türkmenistan bilen {c_tk} arasynda konsullyk meseleleri boýunça geňeşmeleriň {n_tk} "
        "tapgyry geçirildi.",
    ),
]


def releases(units: int, seed: int = 0) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """(date, sentences as {"en", "ru", "tk"}) of releases holding `units` in all, spread over
    the 15 years from 2012 whatever their number, as an archive grows denser, not longer."""
    rng = random.Random(seed)
    made = 0
    while made < units:
        day = FIRST_DAY + timedelta(days=YEARS * 365 * made // units)
        slots = _slots(rng, day)
        count = min(rng.randint(4, 8), units - made)
        chosen = rng.sample(TEMPLATES, count)
        sentences = [
            {lang: t.format(**slots) for lang, t in zip(("en", "ru", "tk"), formula, strict=True)} for formula in chosen
        ]
        yield day.isoformat(), sentences
        made += count


def store(path: Path, units: int, seed: int = 0, per_release: int = 40) -> list[str]:
    """Write an archive of `units` units into a TM at `path` (a stored release holds the press releases
    of a few days, `per_release` units, so that a million units store in minutes); returns the English sides."""
    from tm.formats import ImportedUnit
    from tm.store import TranslationMemory

    rng = random.Random(seed + 1)
    english: list[str] = []
    batch: list = []
    with TranslationMemory(path) as tm, tm.transaction():
        for number, (day, sentences) in enumerate(releases(units, seed)):
            for texts in sentences:
                confidence = round(min(1.0, max(0.3, rng.gauss(0.9, 0.08))), 3)
                batch.append(ImportedUnit(dict(texts), {"x-confidence": str(confidence)}))
                english.append(texts["en"])
            if len(batch) >= per_release:
                tm.add_imported("archive", f"{day}-{number}", batch)
                tm.db.execute("UPDATE releases SET date = ? WHERE release_id = ?", (day, f"{day}-{number}"))
                batch = []
        if batch:
            tm.add_imported("archive", "last", batch)
    return english


def queries(count: int, stored: list[str], seed: int = 1) -> list[tuple[str, str]]:
    """(kind, English query): half new instances of the templates (not in the TM), half stored
    sentences with one or two edits (a number, a name, a country changed, a word dropped)."""
    rng = random.Random(seed)
    known = set(stored)
    fresh = (s["en"] for _, sentences in releases(10 * count, seed + 100) for s in sentences)
    found: list[tuple[str, str]] = []
    while len(found) < count:
        if len(found) % 2 == 0:
            query = next(fresh)
            if query not in known:
                found.append(("new", query))
            continue
        found.append(("edited", _edit(rng.choice(stored), rng, rng.choice((1, 2)))))
    return found


def _edit(sentence: str, rng: random.Random, edits: int) -> str:
    words = sentence.split()
    for _ in range(edits):
        at = rng.randrange(len(words))
        kind = rng.choice(("number", "name", "country", "drop"))
        if kind == "number":
            words[at] = str(rng.randint(1, 31))
        elif kind == "name":
            initial, surname = rng.choice(INITIALS)[0], rng.choice(SURNAMES)[0]
            words[at] = f"{initial}.{surname}"
        elif kind == "country":
            words[at] = rng.choice(COUNTRIES)[0]
        elif len(words) > 3:
            del words[at]
    return " ".join(words)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.output.exists():
        print(f"Error: {args.output}: exists; give a new file", file=sys.stderr)
        return 1
    store(args.output, args.units, args.seed)
    print(f"{args.output}: {args.units} units")
    return 0


if __name__ == "__main__":
    sys.exit(main())
