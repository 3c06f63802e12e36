"""The one exception the labels package raises for bad input or templates."""


class LabelError(ValueError):
    """A label cannot be made: `field` names the culprit, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
