"""aispend: FinOps for AI spend."""

__version__ = "0.1.0"
