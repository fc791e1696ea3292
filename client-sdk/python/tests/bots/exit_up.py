"""A script that sends and ends without flushing: the exit flush delivers its events.

    python exit_up.py URL EVENTS
"""

import sys

from ic_audit import AuditNotifier

n = AuditNotifier("ExitUp", "FOREX", "ends without a flush", url=sys.argv[1])
for i in range(int(sys.argv[2])):
    n.send("tick", "delivered at exit", i=i)
print(n.session, flush=True)
