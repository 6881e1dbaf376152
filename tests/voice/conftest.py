"""A hub with the demo home and its content, and the home's hot words, for the voice tests."""

import pytest

from support import DEMO_NOW
from twinspace.content.services import ContentServices
from twinspace.demo import write_demo_home
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.store.sqlite import Store
from twinspace.voice.vocabulary import hotwords_for


@pytest.fixture
def content_hub(tmp_path) -> Hub:
    store = Store(tmp_path / "db" / "twinspace.db")
    hub = Hub(store, services=ContentServices(store, clock=lambda: DEMO_NOW), clock=lambda: DEMO_NOW)
    hub.import_bundle(read_home_dir(write_demo_home(tmp_path / "demo", DEMO_NOW)))
    yield hub
    store.close()


@pytest.fixture
def home_words(content_hub: Hub) -> str:
    return hotwords_for(content_hub, "demo-loft")
