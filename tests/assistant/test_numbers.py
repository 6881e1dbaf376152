from datetime import datetime, timedelta, timezone

import pytest

from twinspace.assistant.numbers import parse_duration, parse_number, parse_percent, parse_time_of_day


@pytest.mark.parametrize("text, value", [
    ("30", 30), ("thirty", 30), ("twenty five", 25), ("a hundred", 100), ("half a", 0.5), ("a couple of", 2),
    ("nothing here", None),
])
def test_numbers(text, value) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text, seconds", [
    ("30 seconds", 30), ("two minutes", 120), ("a minute", 60), ("90 secs", 90), ("1 hour 20 minutes", 4800),
    ("half a minute", 30), ("five mins", 300), ("10", 10), ("1 hour 20", 4800), ("5 minutes 30", 330),
])
def test_durations(text, seconds) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text, level", [("30 percent", 30), ("thirty", 30), ("150", 100), ("full", 100), ("half", 50)])
def test_percent(text, level) -> None:
    assert parse_percent(text) == level


KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 28, 20, 5, tzinfo=KST)


@pytest.mark.parametrize("text, hour, minute", [
    ("right now", 20, 5), ("at 9", 21, 0), ("at 8 pm", 20, 0), ("at 20 05", 20, 5), ("at 21:30", 21, 30),
    ("tonight", 21, 0),
])
def test_times_of_day(text, hour, minute) -> None:
    t = parse_time_of_day(text, NOW)
    assert (t.hour, t.minute) == (hour, minute) and t.tzinfo == KST
