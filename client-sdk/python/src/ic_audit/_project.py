"""Project metadata as the collector accepts it in a hello, from whatever the bot passed (the seed's rules)."""

from typing import Any, Dict, List, Optional

from ._limits import MAX_PRIVILEGE_LENGTH, MAX_PRIVILEGES, MAX_PROJECT_DESCRIPTION_LENGTH, MAX_PROJECT_NAME_LENGTH
from ._text import to_text, truncate

# Used when the bot gives no name (the collector requires a non-empty one); the TypeScript SDK's too.
UNNAMED_PROJECT = "unnamed-project"


def privileges(v: Any) -> List[Optional[str]]:
    """The seed's list: a list (or tuple, set) as given, anything else as a one-item list, so None gives [None]."""
    try:
        items = list(v) if isinstance(v, (list, tuple, set, frozenset)) else [v]
    except Exception:
        items = [None]
    out: List[Optional[str]] = []
    for p in items[:MAX_PRIVILEGES]:
        if p is None:
            out.append(None)
            continue
        s = truncate(to_text(p), MAX_PRIVILEGE_LENGTH)
        if s:
            out.append(s)
    return out


def project_info(name: Any, market: Any, description: Any, privs: Any) -> Dict[str, Any]:
    project_name = truncate(to_text(name), MAX_PROJECT_NAME_LENGTH)
    return {
        "project_name": project_name or UNNAMED_PROJECT,
        "project_market": truncate(to_text(market), MAX_PROJECT_NAME_LENGTH),
        "project_description": truncate(to_text(description), MAX_PROJECT_DESCRIPTION_LENGTH),
        "project_privileges": privileges(privs),
    }
