class TerritoryInputError(ValueError):
    """Bad input from a user (a CSV, a code): `errors` are Italian messages naming file, row and reason."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))
