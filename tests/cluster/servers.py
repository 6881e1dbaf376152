"""Real PostgreSQL and Redis servers on free loopback ports, started and stopped by the test run."""

from twinspace.cluster.local import Postgres, Redis, add_postgres_to_path  # noqa: F401
