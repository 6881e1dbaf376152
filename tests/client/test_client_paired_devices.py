"""The owner sees the home's paired devices in the device menu and revokes one; members do not see the list."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from twinspace import access
from twinspace.errors import Unauthorized
from twinspace.hub import Hub

pytestmark = pytest.mark.slow


def test_the_owner_revokes_a_paired_device_from_the_menu(open_page: Callable[..., Any], client_hub: Hub) -> None:
    phone = access.issue_token(client_hub.store, "demo-loft", "sam", "Sam's old phone").token
    page = open_page()
    page.click(".menu > summary")
    row = page.locator("#paired-devices .paired-device", has_text="Sam's old phone")
    row.wait_for()
    row.get_by_role("button", name="Revoke").click()
    row.wait_for(state="detached")
    with pytest.raises(Unauthorized):
        access.authenticate(client_hub.store, phone)
    assert page.locator("#paired-devices .paired-device").count() >= 1  # the owner's own device is still listed

    member = open_page(person="sam")
    member.click(".menu > summary")
    assert member.locator("#paired-devices").count() == 0
