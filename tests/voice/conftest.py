"""A hub with the demo home and its content, and the home's hot words, for the voice tests."""

import pytest

import support
from twinspace.hub import Hub
from twinspace.voice.vocabulary import hotwords_for


@pytest.fixture
def content_hub(tmp_path) -> Hub:
    hub = support.content_hub(tmp_path)
    yield hub
    hub.store.close()


@pytest.fixture
def home_words(content_hub: Hub) -> str:
    return hotwords_for(content_hub, "demo-loft")
