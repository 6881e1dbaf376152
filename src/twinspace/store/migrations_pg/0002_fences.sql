-- The highest ownership fence (cluster/lease.py) that has committed to each home. A write
-- carrying a lower fence comes from a replica whose lease was taken over and is refused in
-- the same transaction, so a paused or partitioned former owner cannot overwrite the new one.
-- No foreign key: the fence must outlive a home being replaced.

CREATE TABLE home_fences (
    home_id  TEXT PRIMARY KEY,
    fence    BIGINT NOT NULL
);
