"""Exit 0 when the PostgreSQL at argv[1] accepts a connection, else 1 (used by `make test`)."""

import sys

try:
    import psycopg

    with psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3):
        pass
except Exception:  # noqa: BLE001 - any failure means "not reachable"
    sys.exit(1)
sys.exit(0)
