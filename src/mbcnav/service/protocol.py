"""uvicorn's HTTP protocol with a deadline on request headers.

uvicorn closes idle keep-alive connections, but not one that trickles its request line and
headers a byte at a time: each byte resets nothing and the connection stays open for good. With
this protocol every request's headers must be complete within ``header_timeout`` seconds of the
connection opening (or of the previous response), or the connection is closed. The body has
its own deadline in ``middleware.ReadBody``.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@lru_cache(maxsize=1)
def configured_header_timeout() -> float:
    """``MBCNAV_HEADER_TIMEOUT_S``, read once per process (uvicorn's worker processes import
    this class by name, so the setting travels by environment, not by argument)."""
    from mbcnav.service.settings import Settings

    return Settings().header_timeout_s


class HeaderDeadlineProtocol(HttpToolsProtocol):
    _header_timer: asyncio.TimerHandle | None = None

    @property
    def header_timeout(self) -> float:
        return configured_header_timeout()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


__all__ = ["HeaderDeadlineProtocol", "configured_header_timeout"]
