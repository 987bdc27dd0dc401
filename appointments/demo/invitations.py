"""The demo CSV of expiring permits (appointments/demo/invitations.csv): ~500 fictitious
residents of many nationalities, some reachable by letter only, a few rows with errors.

Its expiry dates are relative to the day it is written; write a fresh one with
`python -m appointments.demo.invitations [FILE]` (default: the file beside this module).
"""

import csv
import datetime as dt
import random
import sys
import unicodedata
from pathlib import Path

HEADER = [
    "Aktenzeichen",
    "Nachname",
    "Vorname",
    "Geburtsdatum",
    "Staatsangehörigkeit",
    "E-Mail",
    "Anschrift",
    "Sprache",
    "Aufenthaltstitel",
    "Ablaufdatum",
    "Anliegen",
]
# nationality, preferred language, surnames, given names (passport spelling, Latin letters)
PEOPLE = [
    (
        "TR",
        "tr",
        [
            "Yılmaz",
            "Kaya",
            "Demir",
            "Şahin",
            "Çelik",
            "Öztürk",
            "Arslan",
            "Doğan",
            "Kılıç",
            "Aydın",
            "Koç",
            "Kurt",
            "Özdemir",
            "Yıldız",
            "Polat",
        ],
        ["Elif", "Mehmet", "Zeynep", "Mustafa", "Ayşe", "Emre", "Fatma", "Burak", "Selin"],
    ),
    (
        "SY",
        "ar",
        [
            "Al-Hassan",
            "Haddad",
            "Khalil",
            "Nasser",
            "Saleh",
            "Mansour",
            "Darwish",
            "Hamdan",
            "Issa",
            "Barakat",
            "Sabbagh",
            "Kassem",
        ],
        ["Omar", "Lina", "Yousef", "Rana", "Ahmad", "Nour", "Khaled", "Hiba", "Sami"],
    ),
    (
        "AF",
        "ar",
        ["Ahmadi", "Rahimi", "Karimi", "Haidari", "Noori", "Sultani", "Hakimi"],
        ["Fatima", "Ali", "Zahra", "Mohammad", "Maryam", "Hamid"],
    ),
    (
        "UA",
        "uk",
        [
            "Shevchenko",
            "Kovalenko",
            "Bondarenko",
            "Tkachenko",
            "Kravchenko",
            "Oliinyk",
            "Melnyk",
            "Savchenko",
            "Rudenko",
            "Lysenko",
        ],
        ["Olena", "Taras", "Iryna", "Andrii", "Oksana", "Dmytro", "Kateryna", "Serhii"],
    ),
    (
        "RU",
        "ru",
        ["Ivanov", "Smirnova", "Kuznetsov", "Popova", "Volkov", "Sokolova", "Lebedev", "Novikova"],
        ["Pavel", "Natalia", "Sergei", "Anna", "Dmitri", "Elena", "Mikhail"],
    ),
    (
        "PL",
        "de",
        ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Lewandowski", "Zielińska", "Szymański"],
        ["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł"],
    ),
    (
        "IN",
        "en",
        ["Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Rao"],
        ["Priya", "Arjun", "Ananya", "Rahul", "Divya", "Vikram", "Sneha"],
    ),
    (
        "NG",
        "en",
        ["Okafor", "Adeyemi", "Eze", "Balogun", "Nwosu", "Okonkwo"],
        ["Chidi", "Ngozi", "Tunde", "Amaka", "Emeka", "Folake"],
    ),
    (
        "IT",
        "de",
        ["Bianchi", "Romano", "Esposito", "Ricci", "Marino", "Greco"],
        ["Giulia", "Marco", "Francesca", "Luca", "Chiara"],
    ),
    (
        "IR",
        "en",
        ["Hosseini", "Mohammadi", "Jafari", "Rezaei", "Moradi"],
        ["Parisa", "Reza", "Shirin", "Amir", "Leila"],
    ),
    (
        "CN",
        "en",
        ["Wang", "Li", "Zhang", "Liu", "Chen", "Zhao"],
        ["Wei", "Fang", "Jing", "Lei", "Min"],
    ),
    (
        "BR",
        "en",
        ["Silva", "Santos", "Oliveira", "Souza", "Pereira"],
        ["Ana", "João", "Beatriz", "Lucas", "Camila"],
    ),
    (
        "ER",
        "en",
        ["Tesfaye", "Haile", "Gebremedhin", "Kidane", "Berhane"],
        ["Semhar", "Yonas", "Helen", "Dawit", "Saba"],
    ),
    (
        "MA",
        "ar",
        ["El Amrani", "Benali", "Bouzid", "Chraibi", "El Idrissi"],
        ["Youssef", "Salma", "Hamza", "Imane", "Karim"],
    ),
    (
        "VN",
        "en",
        ["Nguyen", "Tran", "Le", "Pham", "Hoang"],
        ["Linh", "Minh", "Thao", "Duc", "Huong"],
    ),
]
STREETS = [
    "Wilhelmstraße",
    "Rheinstraße",
    "Bahnhofstraße",
    "Dotzheimer Straße",
    "Schiersteiner Straße",
    "Biebricher Allee",
    "Kaiser-Friedrich-Ring",
    "Bleichstraße",
    "Westendstraße",
    "Moritzstraße",
    "Erbenheimer Straße",
    "Mainzer Straße",
    "Wellritzstraße",
    "Blücherstraße",
]
POSTCODES = ["65183", "65185", "65187", "65189", "65193", "65195", "65197", "65199", "65203"]


def _ascii(text):
    text = text.replace("ı", "i").replace("ł", "l")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _service(nationality, rng):
    if nationality == "UA":
        return "aufenthaltserlaubnis-verlaengerung", "§ 24 AufenthG"
    if nationality in ("IN", "CN", "BR", "IR") and rng.random() < 0.6:
        return "blaue-karte-eu", "§ 18g AufenthG (Blaue Karte EU)"
    if rng.random() < 0.25:
        return "niederlassungserlaubnis", "§ 9 AufenthG"
    return "aufenthaltserlaubnis-verlaengerung", rng.choice(
        ["§ 16b AufenthG", "§ 18b AufenthG", "§ 28 AufenthG", "§ 30 AufenthG", "§ 25 AufenthG"]
    )


def rows(*, today, count=490, seed=2014):
    """`count` valid rows with expiries 6½ to 14 weeks ahead, and a few broken ones."""
    rng = random.Random(seed)
    result = []
    for n in range(1, count + 1):
        nationality, language, surnames, given = rng.choice(PEOPLE)
        surname, first = rng.choice(surnames), rng.choice(given)
        service, permit = _service(nationality, rng)
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 44))
        expiry = today + dt.timedelta(days=rng.randrange(45, 100))
        address = f"{rng.choice(STREETS)} {rng.randrange(1, 140)}|{rng.choice(POSTCODES)} Wiesbaden"
        login = _ascii(f"{first}.{surname}".lower().replace(" ", "-"))
        email = "" if rng.random() < 0.18 else f"{login}.{n}@example.org"
        result.append(
            [
                f"ABH-{today.year}-{n:05d}",
                surname,
                first,
                born.strftime("%d.%m.%Y"),
                nationality,
                email,
                address,
                language if rng.random() < 0.85 else "",
                permit,
                expiry.strftime("%d.%m.%Y"),
                service,
            ]
        )
    expiry = (today + dt.timedelta(days=60)).strftime("%d.%m.%Y")
    base = [
        "Muster",
        "Max",
        "01.02.1980",
        "TR",
        "",
        "Luisenstraße 1|65185 Wiesbaden",
        "de",
        "§ 16b AufenthG",
        expiry,
        "aufenthaltserlaubnis-verlaengerung",
    ]
    broken = [
        {2: "31.02.1985"},  # a date that does not exist
        {9: "Einbürgerung"},  # not a service of the office
        {8: (today - dt.timedelta(days=10)).strftime("%d.%m.%Y")},  # already expired
        {5: ""},  # neither e-mail nor postal address
        {3: "Atlantis"},  # unknown nationality
        {8: "demnächst"},  # no date
    ]
    for k, change in enumerate(broken, start=1):
        values = list(base)
        for index, value in change.items():
            values[index] = value
        result.append([f"ABH-{today.year}-9{k:04d}", *values])
    result.append(list(result[7]))  # the same file number twice
    result[-1][2] = "Zweitname"
    rng.shuffle(result)
    return result


def write(path, *, today=None):
    today = today or dt.date.today()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows(today=today))


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("invitations.csv"))
