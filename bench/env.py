"""Django set-up for a benchmark process: a throwaway database and var/ directory, never the real ones."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(workdir: Path, database_url: str | None = None) -> str:
    """Point Django at a database inside `workdir` (or `database_url`), set it up and migrate it.

    `database_url` is only ever the throwaway server started by scripts/with_postgres.sh; without
    it the database is a new SQLite file in `workdir`. Returns the database vendor.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    # Secret key, signing key and static root all go under the throwaway var/ directory.
    os.environ["SANXIANG_VAR_DIR"] = str(workdir / "var")
    os.environ["LEDGER_SIGNING_KEY"] = str(workdir / "var" / "keys" / "bench-ledger-ed25519.pem")
    os.environ["LEDGER_ORIGIN"] = "bench.sanxiang.example/ledger"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

    import django
    from django.conf import settings

    django.setup()
    name = str(settings.DATABASES["default"]["NAME"])
    real = (ROOT / "var" / "sanxiang.sqlite3").resolve()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and Path(name).resolve() == real:
        raise SystemExit(f"refusing to benchmark against {real}")

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    return connection.vendor
