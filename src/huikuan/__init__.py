"""Huikuan (回款): AI-assisted collection of overdue consumer loans, compliant by construction."""

__version__ = "0.1.0"
