"""Per-family case tables: named mutations of the sample estates and the statuses they must give."""

import pytest

# The shared checks live outside the test files: have pytest explain their failed asserts too.
pytest.register_assert_rewrite("tests.cases.common")
