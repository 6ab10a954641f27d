"""The fake server's own fault injection works as the fakes rely on it."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.server import FakePlatform, Fault, Request, Response


class Counter(FakePlatform):
    def __init__(self) -> None:
        super().__init__()
        self.stored = 0
        self.route("POST", "/items", self.create)

    def create(self, request: Request) -> Response:
        self.stored += 1
        return Response(200, {"id": str(self.stored)})


def test_faults_are_consumed_in_order() -> None:
    fake = Counter()
    fake.STALL_SECONDS = 0.5
    with fake.running():
        fake.inject(
            "POST", "/items", Fault.RATE_LIMIT, Fault.SERVER_ERROR, Fault.DROP_AFTER, Fault.STALL
        )
        with httpx.Client(base_url=fake.url, timeout=0.2) as client:
            assert client.post("/items").status_code == 429
            assert client.post("/items").status_code == 500
            with pytest.raises(httpx.TransportError):
                client.post("/items")  # stored, then dropped
            with pytest.raises(httpx.TimeoutException):
                client.post("/items")  # stalled, never stored
            assert client.post("/items").json() == {"id": "2"}
    assert fake.stored == 2
    assert [r.path for r in fake.requests] == ["/items"] * 5
