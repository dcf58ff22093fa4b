#!/usr/bin/env bash
# Install what the tests need, then run them: `bash tests/run.sh [pytest args]`.
# System packages (Chromium for browser tests, jing for feed validation, CJK fonts for
# screenshots) are installed when missing and the user can install them; without Chromium the
# browser tests skip, except under CI=true where they are required.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v jing >/dev/null 2>&1 || need+=(jing)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "note: not root, so not installing ${need[*]}; tests that need them will skip" >&2
  fi
fi

python -m pip install -q -e '.[test]'
npm ci --no-audit --no-fund --loglevel=error
exec python -m pytest "$@"
