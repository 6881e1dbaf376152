"""The client's alignment arithmetic (client/src/scene/capture.js `originOf`) against the hub's
`Rigid`: the twin's origin it computes maps every twin point back to where it was captured."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest
from client_helpers import CLIENT

from twinspace.geometry import Frame
from twinspace.home.alignment import Rigid

SCRIPT = """
import { originOf } from %s
const answers = JSON.parse(process.argv[1])
console.log(JSON.stringify(answers.map((a) => originOf(a))))
"""


@pytest.mark.parametrize("yaw_deg, x, z, floor_y", [(0, 0, 0, 0), (30, 1, -2, 0.05), (-147.5, -3.2, 0.4, -0.02)])
def test_origin_of_inverts_the_hubs_transform(yaw_deg: float, x: float, z: float, floor_y: float) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing")
    module = json.dumps((CLIENT / "src" / "scene" / "capture.js").as_uri())
    answer = {"transform": {"yaw_deg": yaw_deg, "x": x, "z": z}, "floor_y": floor_y}
    out = subprocess.run([node, "--input-type=module", "-e", SCRIPT % module, json.dumps([answer])],
                         capture_output=True, text=True, timeout=30, check=True)
    origin = json.loads(out.stdout)[0]
    frame = Frame(tuple(origin["position"][k] for k in "xyz"), tuple(origin["orientation"][k] for k in "xyzw"))
    hub = Rigid(math.radians(yaw_deg), x, z)
    for p in [(0.7, 1.3, -0.4), (-2.0, 0.0, 3.0), (5.0, 2.5, -1.0)]:
        twin = hub.point((p[0], p[1] - floor_y, p[2]))  # what the hub makes of a captured point
        assert frame.to_world(twin) == pytest.approx(p, abs=1e-9)
