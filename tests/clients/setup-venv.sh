#!/usr/bin/env bash
# Create (or reuse) the venv holding the real Python clients used by the
# compatibility tests, and install tests/clients/requirements.txt into it.
# Idempotent. Prints the venv's python path as the last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${TESSERA_CLIENTS_VENV:-$here/../../.ci/venv}"
req="$here/requirements.txt"

if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"

echo "$venv/bin/python"
