#!/usr/bin/env bash
# Makes client-sdk/python/.venv: the Python SDK installed editable with its test tools (pytest, mypy, ruff), for
# `npm run test:python` and CI. Quiet and quick when it is already there. Uses the machine's package mirror when it
# has one (never the default index then, so an unreachable one cannot stall it), else pip's own configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=client-sdk/python/.venv
PY="${PYTHON:-python3}"

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import ic_audit, pytest, mypy, ruff' 2>/dev/null \
  && [[ "$("$VENV/bin/python" -c 'import ic_audit; print(ic_audit.__file__)')" == "$PWD/client-sdk/python/src/"* ]]; then
  exit 0
fi

index=()
for mirror in /opt/pypi/simple /opt/pypi-more/simple; do
  [[ -d "$mirror" ]] || continue
  if (( ${#index[@]} == 0 )); then index+=(--index-url "file://$mirror"); else index+=(--extra-index-url "file://$mirror"); fi
done

echo "python venv: $VENV ($("$PY" --version 2>&1))"
[[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 30 "${index[@]}" \
  -e "client-sdk/python[test]" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
