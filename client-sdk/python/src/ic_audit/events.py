"""The seed's constants: any string may be sent as an event type; these are the usual ones."""

import time
from typing import Any, Dict

BOOT_DESCRIPTION = "Project was booted."


class ProjectPrivileges:
    EXECUTE_TRADE = "execute_trade"
    POST_MORTEM_ANALYSIS = "post_mortem_analysis"
    LIVE_MONITORING = "live_monitoring"
    UTILITIES = "utilities"


class ProjectEvents:
    BOOT = "boot"
    ERROR = "error"
    TRADE_OPENED = "trade_opened"
    TRADE_CLOSED = "trade_closed"
    UNCLASSIFIED_EVENT = "unclassified_event"


class ProjectEventObj:
    """The seed's event record, kept for scripts that build one: type, description, the time it was made, extras."""

    def __init__(self, event_type: Any, event_description: Any, **kwargs: Any) -> None:
        self.event_type = event_type
        self.event_description = event_description
        self.timestamp = time.time()
        self.additional_info = kwargs

    def to_dict(self) -> Dict[str, Any]:
        """The seed's key order: type, description, timestamp, then the extras (a `timestamp` extra wins)."""
        out: Dict[str, Any] = {"event_type": self.event_type, "event_description": self.event_description,
                               "timestamp": self.timestamp}
        out.update(self.additional_info)
        return out
