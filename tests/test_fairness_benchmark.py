"""The fairness benchmark, small: with allocation + waitlist the bot wins no more places than
one resident and the urgent are served first; with "first come" the bot wins the race."""

import pytest

from appointments.models import ReleaseMode
from benchmarks.fairness_benchmark import Config, simulate, table

pytestmark = pytest.mark.django_db

CONFIG = Config(residents=30, days=14, seed=3, slots_per_day=1)


@pytest.fixture(scope="module")
def results(django_db_setup, django_db_blocker):
    # Both modes once for the module (each in its own transaction, rolled back).
    from django.db import transaction

    outcome = {}
    with django_db_blocker.unblock():
        for mode in (ReleaseMode.FIRST_COME, ReleaseMode.ALLOCATION):
            with transaction.atomic():
                outcome[mode] = simulate(CONFIG, mode)
                transaction.set_rollback(True)
    return outcome


def test_first_come_is_a_race_the_bot_wins(results):
    first_come = results[ReleaseMode.FIRST_COME]
    assert first_come.bot_share > 0.5
    assert first_come.bot_places > first_come.most_by_one_resident


def test_with_allocation_the_bot_wins_no_more_than_one_resident(results):
    allocation = results[ReleaseMode.ALLOCATION]
    assert allocation.resident_places > 0
    assert allocation.bot_places <= max(allocation.most_by_one_resident, 1)
    assert allocation.bot_share < results[ReleaseMode.FIRST_COME].bot_share


def test_with_allocation_the_urgent_are_served_first(results):
    allocation = results[ReleaseMode.ALLOCATION]
    served, total = allocation.served["urgent"]
    routine_served, routine_total = allocation.served["routine"]
    assert total and served / total >= routine_served / routine_total
    if allocation.median_wait_days["routine"] is not None:
        assert allocation.median_wait_days["urgent"] <= allocation.median_wait_days["routine"]
    assert allocation.urgent_in_time_share > results[ReleaseMode.FIRST_COME].urgent_in_time_share


def test_the_table_has_a_column_per_mode(results):
    printed = table([results[ReleaseMode.FIRST_COME], results[ReleaseMode.ALLOCATION]])
    assert "first come" in printed and "allocation + waitlist" in printed
    assert "places the bot won" in printed
