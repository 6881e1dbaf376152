"""A fixed CPU budget per hub process, as if each ran on a machine of its own that size.

On one small machine the replicas, PostgreSQL, Redis, HAProxy and the load generators all take
turns on the same cores, so 3 replicas cannot show 3 machines' capacity. With a budget, each
hub process gets at most `cores` of CPU (a Linux cgroup with a CFS quota, inherited by its
threads), and whether adding replicas adds capacity shows as long as the rest of the machine
keeps up (bench/scale.py prints the writers' CPU; PostgreSQL and the balancer are not limited).
Needs root and the cgroup v1 `cpu` controller or cgroup v2 with `cpu` enabled.
"""

from __future__ import annotations

from pathlib import Path

PERIOD_US = 100_000
V1 = Path("/sys/fs/cgroup/cpu")
V2 = Path("/sys/fs/cgroup")


class CpuBudget:
    def __init__(self, cores: float) -> None:
        if not 0 < cores <= 64:
            raise ValueError(f"a CPU budget is a number of cores above 0, not {cores}")
        self.quota_us = int(cores * PERIOD_US)
        self.groups: list[Path] = []
        if (V1 / "cpu.cfs_quota_us").exists():
            self.root, self.v2 = V1, False
        elif "cpu" in _read(V2 / "cgroup.controllers").split():
            self.root, self.v2 = V2, True
        else:
            raise RuntimeError("a CPU budget needs the cgroup cpu controller (/sys/fs/cgroup/cpu, or cgroup v2 "
                               "with cpu enabled)")

    def limit(self, pid: int) -> None:
        """Put process `pid` (all its threads, and the children it starts later) under the budget."""
        group = self.root / f"twinspace-bench-{pid}"
        try:
            group.mkdir(exist_ok=True)
            if self.v2:
                (group / "cpu.max").write_text(f"{self.quota_us} {PERIOD_US}")
            else:
                (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (group / "cpu.cfs_quota_us").write_text(str(self.quota_us))
            (group / "cgroup.procs").write_text(str(pid))
        except PermissionError as e:
            raise RuntimeError(f"a CPU budget needs root (to write {e.filename})") from e
        self.groups.append(group)

    def close(self) -> None:
        """Remove the groups (their processes have exited or are moved back to the root)."""
        for group in self.groups:
            for pid in _read(group / "cgroup.procs").split():
                try:
                    (self.root / "cgroup.procs").write_text(pid)
                except OSError:
                    pass  # exited meanwhile
            try:
                group.rmdir()
            except OSError:
                pass
        self.groups.clear()


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
