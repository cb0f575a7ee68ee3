"""Ages as kubectl prints them: Go's ``HumanDuration`` (k8s.io/apimachinery
``pkg/util/duration/duration.go``), checked against the cases of its own
``duration_test.go`` and the boundaries between its units."""

from __future__ import annotations

import pytest

from kdebug_nb.durations import human_duration

HOUR = 3600
DAY = 24 * HOUR


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (1, "1s"),
        (70, "70s"),
        (119.9, "119s"),
        (120, "2m"),
        (190, "3m10s"),
        (599, "9m59s"),
        (600, "10m"),
        (70 * 60, "70m"),
        (3 * HOUR - 1, "179m"),
        (3 * HOUR, "3h"),
        (3 * HOUR + 10 * 60 + 59, "3h10m"),
        (8 * HOUR, "8h"),
        (47 * HOUR, "47h"),
        (48 * HOUR, "2d"),
        (49 * HOUR, "2d1h"),
        ((8 * 24 + 2) * HOUR, "8d"),
        (367 * DAY, "367d"),
        (2 * 365 * DAY, "2y"),
        ((365 * 2 * 24 + 25) * HOUR, "2y1d"),
        ((365 * 8 * 24 + 2) * HOUR, "8y"),
    ],
)
def test_units(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected


def test_clock_skew() -> None:
    # up to 2 s in the future is "now"; more is a clock problem worth showing
    assert human_duration(-1.5) == "0s"
    assert human_duration(-2) == "<invalid>"
