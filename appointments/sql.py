"""Bulk updates with a value per row: `CASE pk WHEN … THEN … ELSE column END`, compiled
directly (Django's Case/When builds a Q per row, which costs more than the query itself), and
an update that returns the rows it changed."""

from django.db import connections
from django.db.models import Expression, F
from django.db.models.sql import Query, UpdateQuery


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
