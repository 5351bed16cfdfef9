#!/usr/bin/env bash
# The API reference, generated from the JSDoc of every entry point with
# `deno doc --html` (the same renderer jsr.io uses for @kafka-notify/core).
#
#   bash scripts/docs.sh            writes docs/api/ (not committed: built in CI, see docs/development.md)
#   bash scripts/docs.sh DIR        writes DIR (the package test builds it into a temporary dir)
#
# Installs Deno first when it is missing (scripts/lib/bootstrap.sh).
# Fails when the build fails or a page the docs link to is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-$ROOT/docs/api}"
[[ -n "${DENO:-}" ]] || eval "$(bash scripts/runtimes.sh paths)"
# A fresh clone has no runtimes yet: install them (and the npm packages) as
# scripts/test.sh does. Its output goes to stderr; stdout stays this script's.
if [[ -z "${DENO:-}" || ! -x "$DENO" ]]; then
  source scripts/lib/bootstrap.sh >&2
fi
export NO_COLOR=1 DENO_NO_UPDATE_CHECK=1
rm -rf "$OUT"
"$DENO" doc --html --name="kafka-notify" --output="$OUT" mod.ts src/entries/node.ts src/entries/deno.ts src/entries/bun.ts src/entries/workerd.ts \
  src/entries/errors.ts src/entries/schema.ts src/entries/observe.ts src/entries/config.ts
missing=0
for page in index.html; do
  [[ -f "$OUT/$page" ]] || { echo "docs: missing $page"; missing=1; }
done
for symbol in createNotifier listen Notifier ListenOptions ConfigError versionedPayload NotifierStats readOsloConfig; do
  grep -rqs "$symbol" "$OUT" --include='*.html' || { echo "docs: $symbol is not documented"; missing=1; }
done
[[ $missing -eq 0 ]] || exit 1
echo "docs: $(find "$OUT" -name '*.html' | wc -l) pages in $OUT"
