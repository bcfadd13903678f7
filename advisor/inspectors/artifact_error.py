"""The error every artifact parser raises for unreadable or malformed input.

Parsers never let a struct/ASN.1/plist exception escape: they turn it into an `ArtifactError`
with a short, human message, and the bundle reader turns that into a finding or a `UserError`.
"""

from __future__ import annotations


class ArtifactError(ValueError):
    """An artifact (plist, profile, Mach-O, code signature) cannot be read or is malformed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
