#!/usr/bin/env bash
# A user's clone must pass its own tests: clone the committed HEAD into a temporary folder with no
# shared/ beside it and run the README's test command there, as a user (not CI) would.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/hashsieve-fresh.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-hardlinks "$repo" "$work/hashsieve"
if [ -e "$work/shared" ]; then echo "fresh-clone-test: $work/shared exists" >&2; exit 2; fi
cd "$work/hashsieve"
echo "fresh-clone-test: $(git log -1 --format='%h %s') in $work/hashsieve"
# CI=true makes the large-photo tests required; a user's clone has neither them nor CI=true.
env -u CI -u HASHSIEVE_CONFORMANCE bash -c 'npm ci --no-audit --no-fund && npm test'
echo "fresh-clone-test: ok"
