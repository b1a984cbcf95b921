"""The PostgreSQL driver: ``pg_dump``/``pg_restore`` and row counts.

The row counts are taken in the same snapshot ``pg_dump`` reads (``pg_export_snapshot``), so the manifest
describes exactly what is in the dump even while users keep writing.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Iterable
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

from operations.backups.archive import BackupError, django_tables


def _pg_params(dbname: str | None = None) -> dict[str, str]:
    sd = connection.settings_dict
    params = {"dbname": dbname or sd["NAME"], "user": sd.get("USER") or "", "password": sd.get("PASSWORD") or ""}
    params["host"] = sd.get("HOST") or ""
    params["port"] = str(sd.get("PORT") or "")
    return params


def _pg_cli(params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    args = []
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params[key]:
            args += [flag, params[key]]
    env = os.environ.copy()
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    return args, env


def _pg_connect(params: dict[str, str]):
    import psycopg2

    return psycopg2.connect(**{k: v for k, v in params.items() if v})


def _run(command: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(_("%(program)s is not installed (Debian package postgresql-client).") % {"program": command[0]}) from exc
    if done.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s") % {"program": command[0], "error": done.stderr.strip()[-2000:]})
    return done.stdout


def _pg_counts(pg_connection, tables: Iterable[str]) -> dict[str, int | None]:
    from psycopg2 import sql

    counts: dict[str, int | None] = {}
    with pg_connection.cursor() as cursor:
        cursor.execute("select tablename from pg_tables where schemaname = current_schema()")
        existing = {row[0] for row in cursor.fetchall()}
        for table in tables:
            if table not in existing:
                counts[table] = None
                continue
            cursor.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def pg_dump_with_counts(target: Path) -> dict[str, int]:
    """``pg_dump -Fc`` and row counts read from one exported snapshot."""
    tables = django_tables()
    params = _pg_params()
    snapshot_connection = _pg_connect(params)
    try:
        snapshot_connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with snapshot_connection.cursor() as cursor:
            cursor.execute("select pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = _pg_counts(snapshot_connection, tables)
        args, env = _pg_cli(params)
        _run(["pg_dump", *args, "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target), params["dbname"]], env)
    finally:
        snapshot_connection.rollback()
        snapshot_connection.close()
    return {table: count for table, count in counts.items() if count is not None}


def _restore_list(dump: Path, env: dict[str, str], workdir: Path) -> Path:
    """The dump's table of contents without extensions: PostGIS is installed in the target beforehand,
    and dropping/re-creating it would take every spatial column with it."""
    toc = _run(["pg_restore", "-l", str(dump)], env)
    lines = [line for line in toc.splitlines() if not re.search(r"\bEXTENSION\b", line) or line.startswith(";")]
    listing = workdir / "restore.list"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


def pg_restore_into(dump: Path, dbname: str, workdir: Path, clean: bool) -> None:
    params = _pg_params(dbname)
    args, env = _pg_cli(params)
    listing = _restore_list(dump, env, workdir)
    options = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "-L", str(listing)]
    if clean:
        options += ["--clean", "--if-exists"]
    _run(["pg_restore", *args, *options, "-d", dbname, str(dump)], env)


def pg_verify_counts(dump: Path, tables: Iterable[str], workdir: Path) -> dict[str, int | None]:
    """Restore into a throw-away database ``poc_verify_<random>``, count rows, drop it."""
    scratch = f"poc_verify_{secrets.token_hex(4)}"
    admin = _pg_connect(_pg_params())
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'create database "{scratch}"')
        try:
            target = _pg_connect(_pg_params(scratch))
            target.autocommit = True
            try:
                with target.cursor() as cursor:
                    cursor.execute("create extension if not exists postgis")
                pg_restore_into(dump, scratch, workdir, clean=False)
                return _pg_counts(target, tables)
            finally:
                target.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'drop database if exists "{scratch}" with (force)')
    finally:
        admin.close()
