"""A bot process for the tests: sends COUNT events at a steady pace, flushes, prints its session and stats as JSON.

    python steady.py URL PROJECT COUNT PACE_S [FLUSH_S]
"""

import dataclasses
import json
import sys
import time

from ic_audit import AuditNotifier, ProjectEvents

url, project, count, pace = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
flush_s = float(sys.argv[5]) if len(sys.argv) > 5 else 60.0
# A short backoff cap keeps the test quick; the protocol is the same.
n = AuditNotifier(project, "FOREX", "restart survivor", url=url, backoff_cap=0.5)
print(json.dumps({"session": n.session}), flush=True)
for i in range(count):
    n.send(ProjectEvents.TRADE_OPENED, "tick", i=i, price=1.0 + i / 1000)
    time.sleep(pace)
flushed = n.flush(flush_s)
print(json.dumps({"flushed": flushed, "stats": dataclasses.asdict(n.stats())}), flush=True)
