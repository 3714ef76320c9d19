"""Migration operations that add indexes to a table in use.

On PostgreSQL an index is built with CREATE INDEX CONCURRENTLY: reads and writes of the table go
on while it is built, where a plain CREATE INDEX blocks every write until it is done. That
cannot run inside a transaction, so a migration using these sets ``atomic = False``. On SQLite
(the embedded default) they are Django's own AddIndex, or nothing for an index that only
PostgreSQL has.
"""

from django.contrib.postgres import operations as postgres
from django.db.migrations import AddIndex
from django.db.migrations.operations.base import Operation, OperationCategory


def existing_index(schema_editor, name):
    """Return None if PostgreSQL has no index called ``name``, else whether it is usable."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
            [schema_editor.quote_name(name)],
        )
        row = cursor.fetchone()
    return row and row[0]


def needs_building(schema_editor, name):
    """Drop the invalid index ``name`` a failed run left, if any; return whether to build it."""
    usable = existing_index(schema_editor, name)
    if usable is False:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY {schema_editor.quote_name(name)}")
    return not usable


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    """Add an index, on PostgreSQL without blocking writes to the table.

    The migration can be run again after failing part-way: an index it built is kept, and the
    invalid one that a failed CREATE INDEX CONCURRENTLY leaves behind is dropped and built anew.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
            return
        self._ensure_not_in_transaction(schema_editor)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if needs_building(schema_editor, self.index.name):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        # PostgreSQL's own names only the fields, of which an index on expressions has none.
        return AddIndex.describe(self).replace("Create", "Concurrently create", 1)


class AddTrigramIndexConcurrently(postgres.NotInTransactionMixin, Operation):
    """Add PostgreSQL's trigram index on UPPER(field), without blocking writes; nothing elsewhere.

    It serves ``field__icontains`` (the admin's search), which Django writes as
    ``UPPER(field::text) LIKE UPPER('%term%')``, for a term with three letters or digits in a
    row. The index is not part of the model's state, and so not of its Meta.indexes: SQLite builds
    every index of the state again whenever it rebuilds the table, and has no such index. It is
    written here in SQL because Django's OpClass renders only with django.contrib.postgres
    installed.
    """

    atomic = False
    reversible = True
    category = OperationCategory.ADDITION

    def __init__(self, model_name, name, field):
        self.model_name = model_name
        self.name = name
        self.field = field

    def state_forwards(self, app_label, state):
        pass

    def applies(self, schema_editor, model):
        """Return whether the index is PostgreSQL's to build here, outside a transaction."""
        if schema_editor.connection.vendor != "postgresql" or not self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            return False
        self._ensure_not_in_transaction(schema_editor)
        return True

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.applies(schema_editor, model):
            return
        quote = schema_editor.quote_name
        if needs_building(schema_editor, self.name):
            column = model._meta.get_field(self.field).column
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY {quote(self.name)} ON {quote(model._meta.db_table)} "
                f"USING gin (UPPER({quote(column)}) gin_trgm_ops)"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.applies(schema_editor, model):
            return
        schema_editor.execute(
            f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.name)}"
        )

    def describe(self):
        return f"Concurrently create trigram index {self.name} on UPPER({self.field})"

    @property
    def migration_name_fragment(self):
        return self.name.lower()


class TrigramExtension(postgres.TrigramExtension):
    """Create PostgreSQL's pg_trgm extension if the database lacks it; nothing elsewhere.

    pg_trgm is a trusted extension (PostgreSQL 13 and later): a user who may create objects in
    the database, its owner for one, can create it without being a superuser. Reversed, it stays:
    other tables of the database may use it.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass
