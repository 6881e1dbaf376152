import pytest

from twinspace.content.ratings import allowed, rating_age


@pytest.mark.parametrize("rating, age", [
    ("ALL", 0), ("all", 0), ("G", 0), ("0", 0), ("7", 7), ("12", 12), ("15+", 15), (" 19 ", 19),
    (None, None), ("", None), ("R", None), ("TV-MA", None), ("150", None),
])
def test_rating_age(rating, age):
    assert rating_age(rating) == age


@pytest.mark.parametrize("rating, limit, ok", [
    ("ALL", "7", True), ("7", "7", True), ("12", "7", False), ("19", "18", False), ("18", "18", True),
    ("19", None, True),
    # Unknown or missing ratings only pass when there is no limit.
    (None, "19", False), ("R", "19", False), ("R", None, True),
    # A limit off the scale admits content for everyone only.
    ("ALL", "PG-13", True), ("7", "PG-13", False),
])
def test_allowed(rating, limit, ok):
    assert allowed(rating, limit) is ok
