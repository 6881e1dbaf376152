from datetime import timedelta

import pytest

from twinspace import access
from twinspace.attempts import TooManyAttempts
from twinspace.errors import NotFound, Unauthorized
from twinspace.store.sqlite import utcnow


def test_pairing_code_gives_a_token_once(hub) -> None:
    code = access.create_pairing_code(hub.store, "demo-loft")
    assert code.person == "alex"
    issued = access.redeem_pairing_code(hub.store, code.code.lower(), "Alex's Quest", "quest-alex")
    assert issued.caller.role == "owner"
    assert access.authenticate(hub.store, issued.token) == issued.caller
    with pytest.raises(Unauthorized, match="wrong, used or expired"):
        access.redeem_pairing_code(hub.store, code.code, "again")


def test_member_pairing_and_unknown_person(hub) -> None:
    code = access.create_pairing_code(hub.store, "demo-loft", person="sam")
    caller = access.redeem_pairing_code(hub.store, code.code, "Sam's Quest").caller
    assert (caller.person, caller.role) == ("sam", "member")
    with pytest.raises(NotFound, match="no person 'zoe'"):
        access.create_pairing_code(hub.store, "demo-loft", person="zoe")


def test_expired_code_is_refused(hub) -> None:
    code = access.create_pairing_code(hub.store, "demo-loft", now=utcnow() - timedelta(minutes=11))
    with pytest.raises(Unauthorized):
        access.redeem_pairing_code(hub.store, code.code, "late")


def test_guessing_is_throttled_for_the_guesser_only(hub) -> None:
    code = access.create_pairing_code(hub.store, "demo-loft")
    for _ in range(access.MAX_FAILURES_PER_MINUTE):
        with pytest.raises(Unauthorized):
            access.redeem_pairing_code(hub.store, "AAAA-AAAA", "guess", source="10.0.0.66")
    with pytest.raises(TooManyAttempts, match="too many"):
        access.redeem_pairing_code(hub.store, code.code, "real", source="10.0.0.66")
    assert access.redeem_pairing_code(hub.store, code.code, "real", source="10.0.0.7").caller.person == "alex"


def test_only_hashes_are_stored(hub) -> None:
    code = access.create_pairing_code(hub.store, "demo-loft")
    token = access.redeem_pairing_code(hub.store, code.code, "tablet").token
    dump = "\n".join(hub.store.conn.iterdump())
    assert token not in dump
    assert code.code.replace("-", "") not in dump


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_bad_tokens_are_unauthorized(hub, token) -> None:
    with pytest.raises(Unauthorized):
        access.authenticate(hub.store, token)


def test_revoked_token_stops_working(hub) -> None:
    issued = access.issue_token(hub.store, "demo-loft", "alex", "old phone")
    assert access.revoke_tokens(hub.store, "demo-loft", "old phone") == 1
    with pytest.raises(Unauthorized):
        access.authenticate(hub.store, issued.token)
