"""Resguarda: data-protection compliance checker for Mexican education programs."""

__version__ = "1.1.0"
TOOL_NAME = "resguarda"
