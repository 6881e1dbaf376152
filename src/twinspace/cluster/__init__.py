"""Running a home on one of several hub replicas: ownership leases and change streams in Redis."""
