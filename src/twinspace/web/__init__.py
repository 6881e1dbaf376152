"""The XR client (client/, built with Vite into web/dist) served by the hub at `/`."""

from twinspace.web.routes import install_web

__all__ = ["install_web"]
