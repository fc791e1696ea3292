"""Package name and version, sent in every hello as `sdk: name@version` (a test keeps it equal to pyproject's)."""

SDK_NAME = "ic-audit-client"
SDK_VERSION = "0.1.0"
