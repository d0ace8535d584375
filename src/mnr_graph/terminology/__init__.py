"""The terminology vocabulary: look-up and search, the text checker, evidence, and exports."""

__all__: list[str] = []
