"""A fake ARM and Entra ID server over HTTPS on 127.0.0.1, for testing the live collectors."""

from tests.fakearm.server import FakeArm, Fault, LoggedRequest
from tests.fakearm.store import Store, load_estate

__all__ = ["FakeArm", "Fault", "LoggedRequest", "Store", "load_estate"]
