"""Append-only tables: triggers that refuse UPDATE, DELETE (and TRUNCATE) on both databases.

`append_only(table)` attaches the triggers to a model's table, so `metadata.create_all` creates
them, and teaches Alembic about them: autogenerate (and so `scripts/regen_initial_migration.py`)
renders `op.create_append_only("table")` after the table, and `compare_metadata` reports a
database whose table lacks them. Alembic has no notion of triggers; this is its documented
extension path (a custom operation, its renderer and a schema comparator), kept here so the
trigger text has one home.

A trigger stops the application and anyone who connects as it by mistake or malice short of
DDL rights; whoever may drop triggers can still edit the table, which is why the audit chain is
keyed and anchored outside the database (security/audit.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alembic.autogenerate import comparators, renderers
from alembic.autogenerate.api import AutogenContext
from alembic.operations import MigrateOperation, Operations
from alembic.operations.ops import UpgradeOps
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import DDL, Connection, MetaData, Table, event, text

_FLAG = "append_only"
# Alembic's typed `op` module does not know operations registered at run time.
_REGISTERED = "  # type: ignore[attr-defined]  # registered by huikuan.db.append_only"


def _trigger_names(table: str) -> dict[str, list[str]]:
    return {
        "sqlite": [f"{table}_no_update", f"{table}_no_delete"],
        "postgresql": [f"{table}_no_change", f"{table}_no_truncate"],
    }


def create_statements(dialect: str, table: str) -> list[str]:
    """The DDL that makes `table` append-only on `dialect` (nothing on other databases)."""
    refusal = f"{table} is append-only"
    if dialect == "sqlite":
        # SQLite has no TRUNCATE; a DELETE without WHERE still fires the row trigger, because
        # the truncate optimisation is off for a table with triggers.
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{refusal}: {op} refused'); END"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        fn = f"{table}_append_only"
        return [
            f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION USING MESSAGE = '{refusal}: ' || TG_OP || ' refused', "
            "ERRCODE = 'insufficient_privilege'; END $$",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {fn}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()",
        ]
    return []


def drop_statements(dialect: str, table: str) -> list[str]:
    """The DDL that lifts the protection (a downgrade; an attacker's first step in the tests)."""
    names = _trigger_names(table).get(dialect, [])
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {n} ON {table}" for n in names] + [
            f"DROP FUNCTION IF EXISTS {table}_append_only()"
        ]
    return [f"DROP TRIGGER IF EXISTS {n}" for n in names]


def installed(connection: Connection, table: str) -> bool:
    """Whether every trigger of `table`'s protection exists in the connected database."""
    dialect = connection.dialect.name
    wanted = set(_trigger_names(table).get(dialect, []))
    if not wanted:
        return True
    if dialect == "sqlite":
        rows = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
        )
    else:
        rows = connection.execute(
            text("SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(:t) AND NOT tgisinternal"),
            {"t": table},
        )
    return wanted <= {row[0] for row in rows}


def append_only(table: Table) -> None:
    """Make `table` append-only wherever it is created (create_all and migrations)."""
    table.info[_FLAG] = True
    for dialect in ("sqlite", "postgresql"):
        for statement in create_statements(dialect, table.name):
            # DDL() formats its text with %; the statements hold none, but escape to be safe.
            ddl = DDL(statement.replace("%", "%%")).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]  # SQLAlchemy leaves DDL() untyped
            event.listen(table, "after_create", ddl)


@Operations.register_operation("create_append_only")
class CreateAppendOnlyOp(MigrateOperation):
    """`op.create_append_only("table")`: install the triggers for the running database."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @classmethod
    def create_append_only(cls, operations: Operations, table_name: str) -> None:
        operations.invoke(cls(table_name))

    def reverse(self) -> DropAppendOnlyOp:
        return DropAppendOnlyOp(self.table_name)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("create_append_only", self.table_name)


@Operations.register_operation("drop_append_only")
class DropAppendOnlyOp(MigrateOperation):
    """`op.drop_append_only("table")`: remove them (downgrade)."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @classmethod
    def drop_append_only(cls, operations: Operations, table_name: str) -> None:
        operations.invoke(cls(table_name))

    def reverse(self) -> CreateAppendOnlyOp:
        return CreateAppendOnlyOp(self.table_name)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("drop_append_only", self.table_name)


@Operations.implementation_for(CreateAppendOnlyOp)
def _create(operations: Operations, op: CreateAppendOnlyOp) -> None:
    for statement in create_statements(operations.get_bind().dialect.name, op.table_name):
        operations.execute(statement)


@Operations.implementation_for(DropAppendOnlyOp)
def _drop(operations: Operations, op: DropAppendOnlyOp) -> None:
    for statement in drop_statements(operations.get_bind().dialect.name, op.table_name):
        operations.execute(statement)


@renderers.dispatch_for(CreateAppendOnlyOp)
def _render_create(context: AutogenContext, op: CreateAppendOnlyOp) -> str:
    return f"op.create_append_only({op.table_name!r}){_REGISTERED}"


@renderers.dispatch_for(DropAppendOnlyOp)
def _render_drop(context: AutogenContext, op: DropAppendOnlyOp) -> str:
    return f"op.drop_append_only({op.table_name!r}){_REGISTERED}"


# LAST: after the table comparators, so the triggers come after their table's creation.
@comparators.dispatch_for("schema", priority=DispatchPriority.LAST)
def _compare(
    context: AutogenContext, upgrade_ops: UpgradeOps, schemas: set[str | None]
) -> PriorityDispatchResult:
    connection = context.connection
    if connection is None or context.metadata is None:
        return PriorityDispatchResult.CONTINUE
    metadatas: Sequence[MetaData] = (
        [context.metadata] if isinstance(context.metadata, MetaData) else list(context.metadata)
    )
    for metadata in metadatas:
        for table in metadata.sorted_tables:
            if table.info.get(_FLAG) and not installed(connection, table.name):
                upgrade_ops.ops.append(CreateAppendOnlyOp(table.name))
    return PriorityDispatchResult.CONTINUE
