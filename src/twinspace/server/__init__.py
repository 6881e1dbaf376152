"""The HTTP API (FastAPI): a thin edge over the hub."""
