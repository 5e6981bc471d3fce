"""Study commands: ``cards``, ``review``, ``quiz``. Registered on the main app at import."""

from __future__ import annotations
