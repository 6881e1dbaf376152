"""The reliability suite's hubs: a real `twinspace up` process (for crashes and memory) and
the ASGI app on a demo hub with paired tokens (for limits, queues and the fuzzer)."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest

from reliability_helpers import HOME, HubProcess, free_port, start_hub, stop_hub
from support import content_hub
from twinspace import access
from twinspace.hub import Hub


@pytest.fixture(scope="module")
def hub_process(tmp_path_factory) -> Iterator[HubProcess]:
    hub = start_hub(tmp_path_factory.mktemp("hub") / "data", free_port())
    yield hub
    stop_hub(hub)


@pytest.fixture
def demo_hub(tmp_path) -> Iterator[Hub]:
    hub = content_hub(tmp_path)
    yield hub
    hub.store.close()


@pytest.fixture
def issue_token(demo_hub) -> Callable[[str], str]:
    """Pair a device with the demo hub (the code redeemed as the API does) and return its token."""
    def issue(name: str, person: str = "alex") -> str:
        code = access.create_pairing_code(demo_hub.store, HOME, person).code
        return access.redeem_pairing_code(demo_hub.store, code, name).token

    return issue

