"""A writer that keeps one fence, as a replica keeps its lease's (store.postgres.Fencing)."""


class HeldFence:
    def __init__(self, fence: int) -> None:
        self.held = fence
        self.refusals: list[tuple[str, int]] = []

    def fence(self, home_id: str) -> int:
        return self.held

    def refused(self, home_id: str, fence: int) -> None:
        self.refusals.append((home_id, fence))
