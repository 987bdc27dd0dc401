"""Content of the demo data (services, teams, rules) used by `manage.py seed_demo`.

Texts are in German (stored value) with translations per language code.
"""

import datetime as dt

SERVICES = [
    {
        "slug": "aufenthaltserlaubnis-verlaengerung",
        "name": "Verlängerung der Aufenthaltserlaubnis",
        "name_translations": {
            "en": "Extension of a residence permit",
            "tr": "Oturma izninin uzatılması (Verlängerung der Aufenthaltserlaubnis)",
            "ar": "تمديد تصريح الإقامة (Verlängerung der Aufenthaltserlaubnis)",
            "ru": "Продление вида на жительство (Verlängerung der Aufenthaltserlaubnis)",
            "uk": "Продовження дозволу на проживання (Verlängerung der Aufenthaltserlaubnis)",
        },
        "description": "Antrag auf Verlängerung Ihres Aufenthaltstitels. Bitte kommen Sie "
        "rechtzeitig vor Ablauf.",
        "description_translations": {
            "en": "Application to extend your residence title. Please come in good time "
            "before it expires.",
            "tr": "Oturma izninizin uzatılması başvurusu. Lütfen süresi dolmadan önce gelin.",
            "ar": "طلب تمديد تصريح إقامتك. يرجى الحضور قبل انتهاء صلاحيته بوقت كافٍ.",
            "ru": "Заявление о продлении вида на жительство. Пожалуйста, приходите "
            "заблаговременно до окончания срока.",
            "uk": "Заява про продовження дозволу на проживання. Будь ласка, приходьте "
            "заздалегідь до закінчення строку.",
        },
        "duration_minutes": 30,
        "needs_follow_up": True,
        "follow_up": "eat-abholung",
        "documents": [
            {
                "de": "Gültiger Reisepass",
                "en": "Valid passport",
                "tr": "Geçerli pasaport",
                "ar": "جواز سفر ساري المفعول",
                "ru": "Действующий паспорт",
                "uk": "Дійсний паспорт",
            },
            {
                "de": "Aktuelles biometrisches Passfoto",
                "en": "Recent biometric passport photo",
                "tr": "Güncel biyometrik vesikalık fotoğraf",
                "ar": "صورة شخصية بيومترية حديثة",
                "ru": "Актуальное биометрическое фото",
                "uk": "Актуальне біометричне фото",
            },
            {
                "de": "Nachweis über Lebensunterhalt (z. B. Gehaltsabrechnungen der letzten "
                "3 Monate)",
                "en": "Proof of income (e.g. pay slips of the last 3 months)",
                "tr": "Geçim kanıtı (ör. son 3 ayın maaş bordroları)",
                "ar": "إثبات الدخل (مثل كشوف الراتب لآخر 3 أشهر)",
                "ru": "Подтверждение доходов (например, расчётные листки за 3 месяца)",
                "uk": "Підтвердження доходу (наприклад, розрахункові листи за 3 місяці)",
            },
            {
                "de": "Nachweis der Krankenversicherung",
                "en": "Proof of health insurance",
                "tr": "Sağlık sigortası belgesi",
                "ar": "إثبات التأمين الصحي",
                "ru": "Подтверждение медицинской страховки",
                "uk": "Підтвердження медичного страхування",
            },
        ],
    },
    {
        "slug": "niederlassungserlaubnis",
        "name": "Niederlassungserlaubnis",
        "name_translations": {
            "en": "Settlement permit",
            "tr": "Süresiz oturma izni (Niederlassungserlaubnis)",
            "ar": "تصريح الإقامة الدائمة (Niederlassungserlaubnis)",
            "ru": "Бессрочный вид на жительство (Niederlassungserlaubnis)",
            "uk": "Безстроковий дозвіл на проживання (Niederlassungserlaubnis)",
        },
        "duration_minutes": 45,
        "needs_follow_up": True,
        "follow_up": "eat-abholung",
        "documents": [
            {
                "de": "Gültiger Reisepass",
                "en": "Valid passport",
                "tr": "Geçerli pasaport",
                "ar": "جواز سفر ساري المفعول",
                "ru": "Действующий паспорт",
                "uk": "Дійсний паспорт",
            },
            {
                "de": "Nachweis Deutschkenntnisse B1",
                "en": "Proof of German language skills B1",
                "tr": "B1 Almanca dil belgesi",
                "ar": "إثبات إتقان اللغة الألمانية B1",
                "ru": "Сертификат немецкого языка B1",
                "uk": "Сертифікат німецької мови B1",
            },
            {
                "de": "Rentenversicherungsverlauf",
                "en": "Pension insurance record",
                "tr": "Emeklilik sigortası dökümü",
                "ar": "سجل التأمين التقاعدي",
                "ru": "Выписка пенсионного страхования",
                "uk": "Виписка пенсійного страхування",
            },
        ],
    },
    {
        "slug": "blaue-karte-eu",
        "name": "Blaue Karte EU",
        "name_translations": {
            "en": "EU Blue Card",
            "tr": "AB Mavi Kart (Blaue Karte EU)",
            "ar": "البطاقة الزرقاء للاتحاد الأوروبي (Blaue Karte EU)",
            "ru": "Голубая карта ЕС (Blaue Karte EU)",
            "uk": "Блакитна карта ЄС (Blaue Karte EU)",
        },
        "duration_minutes": 30,
        "needs_follow_up": True,
        "follow_up": "eat-abholung",
        "documents": [
            {
                "de": "Gültiger Reisepass",
                "en": "Valid passport",
                "tr": "Geçerli pasaport",
                "ar": "جواز سفر ساري المفعول",
                "ru": "Действующий паспорт",
                "uk": "Дійсний паспорт",
            },
            {
                "de": "Arbeitsvertrag",
                "en": "Employment contract",
                "tr": "İş sözleşmesi",
                "ar": "عقد العمل",
                "ru": "Трудовой договор",
                "uk": "Трудовий договір",
            },
            {
                "de": "Hochschulabschluss mit Anerkennung",
                "en": "University degree with recognition",
                "tr": "Tanınmış üniversite diploması",
                "ar": "شهادة جامعية معترف بها",
                "ru": "Признанный диплом о высшем образовании",
                "uk": "Визнаний диплом про вищу освіту",
            },
        ],
    },
    {
        "slug": "verpflichtungserklaerung",
        "name": "Verpflichtungserklärung",
        "name_translations": {
            "en": "Declaration of commitment (for visitors)",
            "tr": "Taahhütname (Verpflichtungserklärung)",
            "ar": "إقرار الالتزام بالكفالة (Verpflichtungserklärung)",
            "ru": "Гарантийное обязательство (Verpflichtungserklärung)",
            "uk": "Гарантійне зобов'язання (Verpflichtungserklärung)",
        },
        "duration_minutes": 20,
        "documents": [
            {
                "de": "Personalausweis oder Aufenthaltstitel",
                "en": "ID card or residence title",
                "tr": "Kimlik kartı veya oturma izni",
                "ar": "بطاقة الهوية أو تصريح الإقامة",
                "ru": "Удостоверение личности или вид на жительство",
                "uk": "Посвідчення особи або дозвіл на проживання",
            },
            {
                "de": "Einkommensnachweise",
                "en": "Proof of income",
                "tr": "Gelir belgeleri",
                "ar": "إثباتات الدخل",
                "ru": "Подтверждение доходов",
                "uk": "Підтвердження доходу",
            },
        ],
    },
    {
        "slug": "eat-abholung",
        "name": "Abholung des elektronischen Aufenthaltstitels (eAT)",
        "name_translations": {
            "en": "Pickup of the electronic residence permit card (eAT)",
            "tr": "Elektronik oturma kartının teslim alınması (eAT)",
            "ar": "استلام بطاقة الإقامة الإلكترونية (eAT)",
            "ru": "Получение электронной карты ВНЖ (eAT)",
            "uk": "Отримання електронної картки дозволу (eAT)",
        },
        "duration_minutes": 10,
        "bookable_online": False,
        "offline_hint": "Den Abholtermin erhalten Sie bei Ihrer ersten Vorsprache.",
        "offline_hint_translations": {
            "en": "You receive the pickup appointment at your first visit.",
            "tr": "Teslim alma randevusunu ilk ziyaretinizde alırsınız.",
            "ar": "تحصل على موعد الاستلام خلال زيارتك الأولى.",
            "ru": "Время получения вам назначат при первом визите.",
            "uk": "Час отримання вам призначать під час першого візиту.",
        },
        "documents": [
            {
                "de": "Bisheriger Aufenthaltstitel",
                "en": "Previous residence permit",
                "tr": "Eski oturma izni",
                "ar": "تصريح الإقامة السابق",
                "ru": "Прежний вид на жительство",
                "uk": "Попередній дозвіл на проживання",
            },
            {
                "de": "PIN-Brief",
                "en": "PIN letter",
                "tr": "PIN mektubu",
                "ar": "رسالة الرقم السري",
                "ru": "Письмо с PIN-кодом",
                "uk": "Лист із PIN-кодом",
            },
        ],
    },
]

TEAMS = [
    {
        "name": "Sachgebiet 1 (A–K)",
        "waiting_prefix": "A",
        "location": "Erdgeschoss, Zimmer 1.01",
        "counters": ["1", "2", "3"],
    },
    {
        "name": "Sachgebiet 2 (L–Z)",
        "waiting_prefix": "B",
        "location": "Erdgeschoss, Zimmer 1.05",
        "counters": ["4", "5", "6"],
    },
    {
        "name": "Fachkräfteeinwanderung",
        "waiting_prefix": "C",
        "location": "1. OG, Zimmer 2.10",
        "counters": ["7", "8"],
    },
]

GENERAL = [
    "aufenthaltserlaubnis-verlaengerung",
    "niederlassungserlaubnis",
    "verpflichtungserklaerung",
    "eat-abholung",
]

# (service slug, team name, letter from, letter to, nationalities)
RESPONSIBILITY = [
    *[(slug, "Sachgebiet 1 (A–K)", "A", "K", []) for slug in GENERAL],
    *[(slug, "Sachgebiet 2 (L–Z)", "L", "Z", []) for slug in GENERAL],
    ("blaue-karte-eu", "Fachkräfteeinwanderung", "A", "Z", []),
    # Residents from Ukraine (temporary protection) are served by one team for extensions.
    ("aufenthaltserlaubnis-verlaengerung", "Fachkräfteeinwanderung", "", "", ["UA"]),
]

_MAIN = [
    "aufenthaltserlaubnis-verlaengerung",
    "niederlassungserlaubnis",
    "verpflichtungserklaerung",
]

# (team, services, weekdays, start, end, slot minutes, capacity, online capacity)
OPENING_RULES = [
    *[
        (team, _MAIN, [0, 1, 3], dt.time(8), dt.time(12), 30, 3, 2)
        for team in ("Sachgebiet 1 (A–K)", "Sachgebiet 2 (L–Z)")
    ],
    *[
        (team, _MAIN, [3], dt.time(14), dt.time(18), 30, 2, 1)
        for team in ("Sachgebiet 1 (A–K)", "Sachgebiet 2 (L–Z)")
    ],
    *[
        (team, ["eat-abholung"], [2], dt.time(8), dt.time(12), 10, 2, 0)
        for team in ("Sachgebiet 1 (A–K)", "Sachgebiet 2 (L–Z)")
    ],
    (
        "Fachkräfteeinwanderung",
        ["blaue-karte-eu", "aufenthaltserlaubnis-verlaengerung", "eat-abholung"],
        [0, 1, 2, 3, 4],
        dt.time(8),
        dt.time(12),
        30,
        2,
        1,
    ),
]
