"""Watching together: members playing one title in step, with the hub as the clock (docs/cowatch.md).

Plain Python, one concept per module, small frozen values passed stage to stage:

- `clock`: a member's offset to the hub's clock from NTP-style exchanges;
- `timeline`: where the group's title is at any hub time, and the commands that change it;
- `schedule`: when a command takes effect (slightly in the future, from the members' round trips);
- `drift`: the correction for one member's error (a rate within ±5 %, a seek past a threshold);
- `group`: the members, their timing (in step, stalled, gone) and the reports that drive it.
"""
