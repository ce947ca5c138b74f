"""Errors meant for people: their message is one clear sentence naming the file and field."""


class OpsValueError(Exception):
    """Base of every error the workbook shows to a trainee or an instructor as a message."""
