"""Tests that need a PostgreSQL server: collected only when TEST_DATABASE_URL is set.

Without it these modules are not collected at all (rather than skipped), so a machine without
PostgreSQL runs the rest of the suite unchanged; CI (.ci/run) always sets it.
"""

from tests.databases import TEST_DATABASE_URL

collect_ignore_glob = [] if TEST_DATABASE_URL else ["test_*.py"]
