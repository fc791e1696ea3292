"""A script that reports and ends while the collector is down: it must still end within the exit bound.

    python exit_down.py URL EVENTS
"""

import sys

from ic_audit import AuditNotifier

n = AuditNotifier("ExitDown", "FOREX", "exits with the collector down", url=sys.argv[1])
for i in range(int(sys.argv[2])):
    n.send("tick", "queued, never delivered", i=i)
print("sent", flush=True)
