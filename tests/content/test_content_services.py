"""The catalogue wired into the hub: imports through the store, reads on their own connection."""

from datetime import datetime

import pytest
from content_helpers import DEV_HOME, KST

from twinspace.content.services import ContentServices
from twinspace.errors import FormatError, NotAllowed
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.store.sqlite import Store

pytestmark = pytest.mark.skipif(not (DEV_HOME / "home.json").exists(), reason="shared dev-home fixture not present")
AT = datetime(2026, 11, 28, 20, 5, tzinfo=KST)


@pytest.fixture
def services(tmp_path):
    store = Store(tmp_path / "hub.db")  # applies every migration, 0002_content.sql included
    services = ContentServices(store)
    yield services
    services.close()
    store.close()


def test_a_home_import_fills_the_catalogue(services):
    hub = Hub(services.store, services=services, clock=lambda: AT)
    home = hub.import_bundle(read_home_dir(DEV_HOME))
    assert "guide.xml: imported 545 programmes on 10 channels" in services.last_report
    [listing] = services.catalog.at(home.id, AT, channel="sportsone.kr")
    assert listing.programme.title == "Premier League Highlights"
    assert services.resolve(home.id, "vod:starfall").title == "Starfall"
    assert services.allowed("ALL", "7") and not services.allowed("19", "18")
    with pytest.raises(NotAllowed):
        services.resolve(home.id, "vod:midnight-case", max_rating="7")


def test_a_broken_file_leaves_the_catalogue_as_it_was(services):
    bundle = read_home_dir(DEV_HOME)
    services.import_home_content(bundle.home, bundle.files)
    broken = {**bundle.files, "guide.xml": bundle.files["guide.xml"].replace(b"</tv>", b"")}
    with pytest.raises(FormatError):
        services.import_home_content(bundle.home, broken)
    assert len(services.catalog.now(bundle.home.id, AT)) == 10
    assert not services.store.conn.in_transaction
