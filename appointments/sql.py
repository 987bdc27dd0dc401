"""Bulk updates with a value per row: `CASE pk WHEN … THEN … ELSE column END`, compiled
directly (Django's Case/When builds a Q per row, which costs more than the query itself)."""

from django.db.models import Expression, F


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
