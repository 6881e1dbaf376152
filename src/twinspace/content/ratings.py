"""Age ratings: is this content within a person's limit?

Ratings are strings on the guide's scale; here that is minimum ages ("7", "12", "15",
"18", "19", also written "12+"), with "ALL", "G" and "0" meaning everyone.

Unknown ratings are treated conservatively, because showing a child something unsuitable
is worse than hiding something harmless:
- content whose rating is missing or not on the scale ("R", "TV-MA", "") ranks above every
  age, so it is shown only when there is no limit at all;
- a limit that is not on the scale admits only content rated for everyone.
"""

from __future__ import annotations

import re
from functools import lru_cache

EVERYONE = frozenset({"all", "g", "0"})
_AGE = re.compile(r"(\d{1,2})\+?")


@lru_cache(maxsize=1024)  # called for every programme of a guide import; ratings repeat
def rating_age(rating: str | None) -> int | None:
    """The minimum age a rating stands for, or None when it is missing or unknown."""
    if rating is None:
        return None
    key = rating.strip().casefold()
    if key in EVERYONE:
        return 0
    match = _AGE.fullmatch(key)
    return int(match.group(1)) if match else None


def limit_age(max_rating: str | None) -> int | None:
    """The highest age a limit admits; None means no limit. An unknown limit admits 'everyone' only."""
    if max_rating is None:
        return None
    age = rating_age(max_rating)
    return 0 if age is None else age


def allowed(rating: str | None, max_rating: str | None) -> bool:
    """Whether content rated `rating` may be shown to someone limited to `max_rating`."""
    limit = limit_age(max_rating)
    if limit is None:
        return True
    age = rating_age(rating)
    return age is not None and age <= limit
