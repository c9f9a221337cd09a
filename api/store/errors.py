"""The one error the store raises for bad caller input; the schema maps it to BAD_USER_INPUT."""


class StoreInputError(ValueError):
    """The caller's input cannot be served: a bad page size, cursor, filter value or ordering."""
