"""Secrets never reach the hub's logs: tokens and signatures in URLs are redacted.

Players and WebSockets that cannot send headers carry `?token=` (or a media signature) in
the URL, and uvicorn logs every request line: its access log for HTTP and its error log
for WebSocket handshakes. A filter on both rewrites those values before any handler sees them.
"""

from __future__ import annotations

import logging
import re

SECRET_IN_URL = re.compile(r"([?&](?:token|access_token|sig)=)[^&\s\"']+", re.IGNORECASE)
REDACTED = "[redacted]"
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn")


def redact(text: str) -> str:
    return SECRET_IN_URL.sub(r"\1" + REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_redaction() -> None:
    """Add the filter to uvicorn's loggers (once; uvicorn's logging setup keeps logger filters)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
