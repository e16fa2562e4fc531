"""The HTTP service: REST API, CDS Hooks 2.0 service, audit trail (``create_app``)."""

from mbcnav.service.app import create_app
from mbcnav.service.settings import Settings

__all__ = ["Settings", "create_app"]
