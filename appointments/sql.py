"""Bulk updates with a value per row: `CASE pk WHEN … THEN … ELSE column END`, compiled
directly (Django's Case/When builds a Q per row, which costs more than the query itself), and
an update that returns the rows it changed."""

from django.db import connections
from django.db.models import Expression, F
from django.db.models.sql import InsertQuery, Query, UpdateQuery


class ByPk(Expression):
    """The value of `values[pk]` for each row, `default` (an expression) for any other row."""

    def __init__(self, values, default, output_field):
        super().__init__(output_field=output_field)
        self.values = dict(values)
        self.default = default
        self.pk = F("pk")

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        copy = self.copy()
        copy.pk = self.pk.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        copy.default = self.default.resolve_expression(
            query, allow_joins, reuse, summarize, for_save
        )
        return copy

    def as_sql(self, compiler, connection):
        default_sql, default_params = compiler.compile(self.default)
        if not self.values:
            return default_sql, default_params
        pk_sql, params = compiler.compile(self.pk)
        params = list(params)
        for pk, value in self.values.items():
            params += [pk, self.output_field.get_db_prep_value(value, connection)]
        whens = " ".join(["WHEN %s THEN %s"] * len(self.values))
        return f"CASE {pk_sql} {whens} ELSE {default_sql} END", [*params, *default_params]


def update_by_pk(queryset, columns, **same):
    """Set per-row values, `columns` = {field name: {pk: value}}, and the values `same` for
    all, on the rows of `queryset` named in `columns`: one UPDATE. Returns the rows updated."""
    model = queryset.model
    pks = set().union(*(values.keys() for values in columns.values()))
    if not pks:
        return 0
    return queryset.filter(pk__in=pks).update(
        **{
            name: ByPk(values, F(name), model._meta.get_field(name))
            for name, values in columns.items()
        },
        **same,
    )


def update_returning(queryset, **values):
    """`queryset.update(**values)` as one `UPDATE … RETURNING` its rows' columns (PostgreSQL,
    SQLite ≥ 3.35): the updated instances, read through the database's converters as any
    query's, without a second statement. The filters must name the table's own columns (as
    for any UPDATE the compiler does not rewrite into a subquery)."""
    model, db = queryset.model, queryset.db
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    compiler = query.get_compiler(db)
    compiler.pre_sql_setup()
    sql, params = compiler.as_sql()
    return returning(model, sql, params, using=db)


def returning(model, sql, params, *, using="default"):
    """Run the data-changing statement `sql` with ` RETURNING` every column of `model` added;
    returns the rows as instances, read through the database's converters as any query's
    (SQLite's text dates become aware datetimes), without the cost of a raw query set."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {columns}", params)
        rows = cursor.fetchall()
    if not rows:
        return []
    compiler = Query(model).get_compiler(using=using)
    table = model._meta.db_table
    converters = compiler.get_converters([field.get_col(table) for field in fields])
    if converters:
        rows = compiler.apply_converters(rows, converters)
    names = [field.attname for field in fields]
    return [model.from_db(using, names, list(row)) for row in rows]


class InsertedPk(Expression):
    """As a field's value in `insert_all`: the primary key of `row`, inserted before it by
    the same call (a foreign key to a row that does not exist yet)."""

    def __init__(self, row):
        super().__init__(output_field=row._meta.pk)
        self.row = row
        self.alias = None  # the WITH clause that inserts `row`, set by insert_all

    def as_sql(self, compiler, connection):
        return _pk_of(self.row, self.alias, connection), []


def insert_all(rows, *, using="default"):
    """Insert the new model instances `rows` in order, as `save(force_insert=True)` would
    (field defaults and pre_save, no signals: models without save() overrides or parents), and
    set their primary keys. A field may hold InsertedPk(an earlier row).

    On PostgreSQL one statement, one round trip: every row but the last inserted by a
    data-modifying WITH clause, the last by the statement itself, which returns all the keys
    (foreign keys are checked at the statement's end, so a row may point to one inserted in
    a clause before it). Elsewhere one INSERT per row."""
    connection = connections[using]
    if not rows:
        return rows
    for row in rows:
        meta = row._meta
        if row.pk is not None or meta.auto_field is None or meta.parents:
            raise ValueError(f"insert_all inserts new rows with generated keys only: {row!r}")
    links = [
        (row, field, value)
        for row in rows
        for field in row._meta.concrete_fields
        if isinstance(value := getattr(row, field.attname), InsertedPk)
    ]
    if connection.vendor != "postgresql" or len(rows) == 1:
        for row in rows:
            for linked, field, value in links:
                if linked is row:
                    setattr(row, field.attname, value.row.pk)
            row.save(force_insert=True, using=using)
        return rows
    aliases = {id(row): f"inserted_{index}" for index, row in enumerate(rows)}
    for _row, _field, value in links:
        value.alias = aliases[id(value.row)]
    statements, params = [], []
    for index, row in enumerate(rows):
        sql, row_params = _insert_sql(row, connection, returning=index < len(rows) - 1)
        statements.append(sql if index == len(rows) - 1 else f"{aliases[id(row)]} AS ({sql})")
        params += row_params
    *earlier, last = statements
    keys = ", ".join(
        [connection.ops.quote_name(rows[-1]._meta.pk.column)]
        + [_pk_of(row, aliases[id(row)], connection) for row in rows[:-1]]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(earlier)} {last} RETURNING {keys}", params)
        last_pk, *earlier_pks = cursor.fetchone()
    for row, value in zip(rows, [*earlier_pks, last_pk], strict=True):
        row.pk = value
        row._state.adding, row._state.db = False, using
    for row, field, value in links:
        setattr(row, field.attname, value.row.pk)
    return rows


def _pk_of(row, alias, connection):
    # Only our own names go in: the alias insert_all made and the model's primary key column.
    return f"(SELECT {connection.ops.quote_name(row._meta.pk.column)} FROM {alias})"  # noqa: S608


def _insert_sql(row, connection, *, returning):
    """The INSERT of the new `row` (its key from the table's sequence), `returning` the key,
    and its parameters: the statement Django's insert compiler writes, built from a column
    list kept per model (compiling it per row was a tenth of a booking's time). Values other
    than plain ones and InsertedPk go through the compiler."""
    meta = row._meta
    head, fields = _insert_heads.get((meta.label, connection.alias)) or _insert_head(
        meta, connection
    )
    if head is None:
        return _compiled_insert_sql(row, fields, connection, returning=returning)
    placeholders, params = [], []
    for field in fields:
        value = field.pre_save(row, add=True)
        if isinstance(value, InsertedPk):
            placeholders.append(value.as_sql(None, connection)[0])
        elif hasattr(value, "resolve_expression"):
            return _compiled_insert_sql(row, fields, connection, returning=returning)
        else:
            placeholders.append("%s")
            params.append(field.get_db_prep_save(value, connection=connection))
    sql = f"{head} VALUES ({', '.join(placeholders)})"
    if returning:
        table, pk = connection.ops.quote_name(meta.db_table), meta.pk.column
        sql += f" RETURNING {table}.{connection.ops.quote_name(pk)}"
    return sql, params


# (model label, database alias) -> ("INSERT INTO table (columns)" or None, fields)
_insert_heads = {}


def _insert_head(meta, connection):
    fields = [
        field
        for field in meta.local_concrete_fields
        if not field.generated and field is not meta.auto_field
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    head = f"INSERT INTO {quote(meta.db_table)} ({columns})"
    if any(hasattr(field, "get_placeholder") for field in fields):
        head = None  # a field writes its own placeholder (binary, array, range): compiled
    _insert_heads[(meta.label, connection.alias)] = head, fields
    return head, fields


def _compiled_insert_sql(row, fields, connection, *, returning):
    query = InsertQuery(row._meta.model)
    query.insert_values(fields, [row])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [row._meta.pk] if returning else None
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)
