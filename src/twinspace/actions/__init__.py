"""Actions: the one registry and the modules that fill it.

Importing this package registers every action, so every front end sees the same list.
"""

from twinspace.actions import content, devices, panel_pose, panels, playback  # noqa: F401  (registration side effect)
from twinspace.actions import rooms  # noqa: F401  (room.capture)
from twinspace.actions import cowatch  # noqa: F401  (watch groups)
from twinspace.actions import seats  # noqa: F401  (seat.take in a space)
from twinspace.actions.registry import (  # noqa: F401
    ActionContext, ActionSpec, Caller, Outcome, Pending, Registry, registry,
)
