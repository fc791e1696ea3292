"""The seed's constants: any string may be sent as an event type; these are the usual ones."""

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
