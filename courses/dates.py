"""Local dates and Connecticut fiscal years. Every local-date decision goes through here.

Times are stored in UTC; a day or fiscal year is decided by the America/New_York date.
Fiscal year N runs from July 1 of N-1 to June 30 of N (FY2025 = 2024-07-01..2025-06-30).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, LOCAL_TZ).date()


def today() -> dt.date:
    return local_date(timezone.now())


def fiscal_year_of(day: dt.date) -> int:
    return day.year + 1 if day.month >= 7 else day.year


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last local date of fiscal year `year`, inclusive."""
    return dt.date(year - 1, 7, 1), dt.date(year, 6, 30)


def start_of_local_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def local_day_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start, end) datetimes covering local dates first..last inclusive."""
    return start_of_local_day(first), start_of_local_day(last + dt.timedelta(days=1))
