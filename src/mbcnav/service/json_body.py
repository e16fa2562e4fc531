"""Request bodies parsed by ``mbcnav.jsonin``, the one strict JSON reader, on every route.

FastAPI parses JSON with ``json.loads``: NaN and duplicate keys pass, a lone surrogate passes
and breaks the response's encoding later (a 500), 4,000-digit numbers overflow in the mapping
(a 500). Routes built with :class:`StrictJSONRoute` read bodies with the same rules as the CLI
and batch readers instead, and a refused body becomes a coded problem (MBC-E106 / MBC-E403).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from mbcnav import jsonin
from mbcnav.errors import InputError


class BodyRefused(HTTPException):
    """A body ``jsonin`` refused; raised as an HTTPException so FastAPI passes it through
    unchanged, carrying the mbcnav code for the problem handler."""

    def __init__(self, error: InputError, status: int) -> None:
        super().__init__(status_code=status, detail=error.detail)
        self.code = error.code


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            from mbcnav.service.problems import status_for

            try:
                self._json = jsonin.loads(await self.body(), "The request body")
            except InputError as error:
                raise BodyRefused(error, status_for(error.code)) from None
        return self._json


class StrictJSONRoute(APIRoute):
    """An APIRoute whose handler sees a :class:`StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict


__all__ = ["BodyRefused", "StrictJSONRequest", "StrictJSONRoute"]
