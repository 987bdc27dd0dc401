"""The reference tables and their data: a week of slots of one team, and rush days with the
same places as ours (56 over 32 slots)."""

import datetime as dt

SCHEMA = """
CREATE TABLE IF NOT EXISTS ref_slot (
    id bigserial PRIMARY KEY,
    team_id integer NOT NULL,
    start timestamptz NOT NULL,
    capacity smallint NOT NULL,
    booked smallint NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX IF NOT EXISTS ref_slot_team_start ON ref_slot (team_id, start);
CREATE TABLE IF NOT EXISTS ref_booking (
    id bigserial PRIMARY KEY,
    slot_id bigint NOT NULL REFERENCES ref_slot (id),
    email varchar(254) NOT NULL,
    created timestamptz NOT NULL
);
"""


def day_starts(day, *, slots=32, minutes=15):
    first = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
    return [first + dt.timedelta(minutes=minutes * n) for n in range(slots)]


def rush_capacities(slots=32, places=56):
    """`places` spread over `slots`: the first ones hold one place, the rest two."""
    singles = 2 * slots - places
    return [1] * singles + [2] * (slots - singles)


def create(cursor, *, first_day, days=9, rush_days=()):
    """Create the tables; a week of slots (10 places) and the rush days; returns the rush
    days' slot ids, one list per day."""
    cursor.execute(SCHEMA)
    for n in range(days):
        for start in day_starts(first_day + dt.timedelta(days=n)):
            cursor.execute(
                "INSERT INTO ref_slot (team_id, start, capacity) VALUES (1, %s, 10)", [start]
            )
    rushes = []
    for day in rush_days:
        ids = []
        for start, capacity in zip(day_starts(day), rush_capacities(), strict=True):
            cursor.execute(
                "INSERT INTO ref_slot (team_id, start, capacity) VALUES (2, %s, %s) RETURNING id",
                [start, capacity],
            )
            ids.append(cursor.fetchone()[0])
        rushes.append(ids)
    cursor.execute("ANALYZE")
    return rushes


def invariants(cursor):
    """Overbooked slots and slots whose counter differs from their bookings."""
    cursor.execute("SELECT count(*) FROM ref_slot WHERE booked > capacity")
    overbooked = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM ref_slot s WHERE s.booked <> "
        "(SELECT count(*) FROM ref_booking b WHERE b.slot_id = s.id)"
    )
    return {"overbooked": overbooked, "mismatched": cursor.fetchone()[0]}
