"""The settings that make a hub one of several replicas, and the balancer configuration."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from twinspace.cluster.haproxy import haproxy_config
from twinspace.config import Settings


def test_redis_needs_the_shared_store_and_a_replica_needs_an_address() -> None:
    assert Settings.from_env({}).redis_url is None  # no configuration: the lone SQLite hub
    with pytest.raises(ValueError, match="set TWINSPACE_DATABASE_URL too"):
        Settings.from_env({"TWINSPACE_REDIS_URL": "redis://127.0.0.1:6379/0"})
    with pytest.raises(ValueError, match="redis:// URL"):
        Settings.from_env({"TWINSPACE_REDIS_URL": "http://x", "TWINSPACE_DATABASE_URL": "postgresql://x/y"})
    env = {"TWINSPACE_REDIS_URL": "redis://127.0.0.1:6379/0", "TWINSPACE_DATABASE_URL": "postgresql://x/y",
           "TWINSPACE_PORT": "8101"}
    assert Settings.from_env(env).replica_address == "http://127.0.0.1:8101"
    assert Settings.from_env({**env, "TWINSPACE_REPLICA_URL": "http://hub1:8080/"}).replica_address == \
        "http://hub1:8080"
    with pytest.raises(ValueError, match="TWINSPACE_REPLICA_URL"):
        _ = Settings.from_env({**env, "TWINSPACE_HOST": "0.0.0.0"}).replica_address


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy not installed: run scripts/system-deps")
def test_the_generated_haproxy_config_is_valid(tmp_path) -> None:
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(18080, [("r1", "127.0.0.1", 18101), ("r2", "127.0.0.1", 18102)]))
    checked = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "balance hash path,field(5,/)" in config.read_text()
