"""Saksham: a competency-based learning platform for public servants."""

__version__ = "0.1.0"
