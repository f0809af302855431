import datetime as dt

import pytest

from courses.dates import LOCAL_TZ, fiscal_year_bounds, fiscal_year_of, local_date, local_day_range


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2024, 6, 30), 2024),
        (dt.date(2024, 7, 1), 2025),
        (dt.date(2025, 1, 15), 2025),
        (dt.date(2025, 6, 30), 2025),
        (dt.date(2025, 7, 1), 2026),
    ],
)
def test_fiscal_year_turns_on_july_first(day, year):
    assert fiscal_year_of(day) == year


def test_fy2025_runs_july_to_june():
    assert fiscal_year_bounds(2025) == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))


def test_a_late_evening_in_connecticut_is_still_that_local_day():
    # 11:30 PM Eastern on June 30 is already July 1 in UTC.
    moment = dt.datetime(2025, 7, 1, 3, 30, tzinfo=dt.UTC)
    assert local_date(moment) == dt.date(2025, 6, 30)
    assert fiscal_year_of(local_date(moment)) == 2025


def test_a_local_day_range_spans_a_dst_change_correctly():
    start, end = local_day_range(dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    assert start == dt.datetime(2026, 11, 1, tzinfo=LOCAL_TZ)
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=25)
