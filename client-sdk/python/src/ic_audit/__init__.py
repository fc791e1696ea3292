"""ic-audit client for Python bots: the `ic_audit` API of the tool it replaces, with acked, buffered delivery.

    from ic_audit import AuditNotifier, ProjectEvents, ProjectPrivileges
    auditor = AuditNotifier("MyTradingBot", "FOREX", "EURUSD bot", ProjectPrivileges.EXECUTE_TRADE)
    auditor.send(ProjectEvents.TRADE_OPENED, "Opened long EURUSD", symbol="EURUSD", price=1.085)
"""

from ._backoff import backoff_delay
from ._commands import (
    available_audit_projects,
    fast_audit,
    start_audit_machine,
    trigger_audit_compact,
    trigger_audit_dumping,
    trigger_audit_dumping_all,
)
from ._serialize import Markers
from ._version import SDK_NAME, SDK_VERSION
from .events import ProjectEventObj, ProjectEvents, ProjectPrivileges
from .notifier import AuditNotifier, NotifierStats

__version__ = SDK_VERSION

__all__ = [
    "SDK_NAME",
    "SDK_VERSION",
    "AuditNotifier",
    "Markers",
    "NotifierStats",
    "ProjectEventObj",
    "ProjectEvents",
    "ProjectPrivileges",
    "__version__",
    "available_audit_projects",
    "backoff_delay",
    "fast_audit",
    "start_audit_machine",
    "trigger_audit_compact",
    "trigger_audit_dumping",
    "trigger_audit_dumping_all",
]
