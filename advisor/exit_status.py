"""Process exit statuses (the public contract) and the error type that carries one."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    DONE = 0  # a diagnosis reached / a check passed
    NO_DIAGNOSIS = 1  # finished without a diagnosis, or a check found problems
    BAD_INPUT = 2  # bad usage or bad input: one line on stderr
    INTERNAL_ERROR = 3


class UserError(Exception):
    """Bad input from the user: reported as one line on stderr, never a traceback."""

    exit_status = ExitStatus.BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
