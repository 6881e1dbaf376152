"""`twinspace space …` and `twinspace invite …` on a hub's data directory."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from twinspace.cli import main


def run(data: Path, *args: str):  # noqa: ANN201 - click's Result
    return CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)


def test_create_a_space_invite_list_and_revoke(tmp_path: Path, demo_dir: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "import", str(demo_dir)).exit_code == 0
    r = run(data, "space", "create", "cinema", "--name", "Movie night", "--id", "movie-night")
    assert r.exit_code == 0 and "8 seats, screen screen" in r.output, r.output
    assert run(data, "pair").exit_code == 0  # "the only home" is still the home, not the space
    r = run(data, "invite", "create", "movie-night", "--for", "the Kims", "--url", "https://hub.example:8443")
    assert r.exit_code == 0, r.output
    link = re.search(r"https://hub\.example:8443/api/v1/invites/[A-Z0-9-]+", r.output).group(0)
    invite_id = re.search(r"Invite ([0-9a-f]{12})", r.output).group(1)
    r = run(data, "invite", "list", "movie-night")
    assert f"{invite_id}\tthe Kims\topen" in r.output and link.rsplit("/", 1)[1] not in r.output  # code shown once
    r = run(data, "invite", "revoke", "movie-night", invite_id)
    assert r.exit_code == 0 and "Revoked invite" in r.output
    assert "\trevoked\t" in run(data, "invite", "list", "movie-night").output
    r = run(data, "space", "list")
    assert "movie-night\tMovie night\thosted here\t1/8 seats taken" in r.output
    assert "virtual space hosted by demo-loft" in run(data, "homes").output
    bad = run(data, "space", "create", "opera")
    assert bad.exit_code == 1 and "templates: cinema, lounge" in bad.output
    bad = run(data, "space", "join", "not a link", "--name", "Joon")
    assert bad.exit_code == 1 and "invite link" in bad.output
