#!/usr/bin/env bash
# count.sh pass|fail LOG: the number of passed or failed tests in a test
# runner's log (node --test, deno test, bun test).
set -euo pipefail
what="$1" log="$2"
# node: "ℹ pass 12"; bun: " 12 pass"; deno: "ok | 2 passed (11 steps) | 0 failed";
# package-test: one summary line per step, "  name  ok|FAIL|SKIP ...".
if grep -q "^package-test: " "$log"; then
  if [[ "$what" == pass ]]; then grep -cE "^  [a-z0-9-]+ +ok " "$log" || true
  else grep -cE "^  [a-z0-9-]+ +(FAIL|skipped)" "$log" || true
  fi
  exit 0
fi
node=$(grep -aoE "^(ℹ|#) $what [0-9]+" "$log" | tail -1 | grep -oE '[0-9]+' || true)
bun=$(grep -aoE "^ *[0-9]+ $what\$" "$log" | tail -1 | grep -oE '[0-9]+' || true)
if [[ "$what" == pass ]]; then
  deno=$(grep -aoE "[0-9]+ passed( \([0-9]+ steps?\))?" "$log" | tail -1 || true)
else
  deno=$(grep -aoE "[0-9]+ failed( \([0-9]+ steps?\))?" "$log" | tail -1 || true)
fi
if [[ -n "$node" ]]; then echo "$node"
elif [[ -n "$bun" ]]; then echo "$bun"
elif [[ -n "$deno" ]]; then
  # Deno counts describe blocks as tests and the tests inside as steps.
  steps=$(grep -oE '\(([0-9]+) steps?\)' <<<"$deno" | grep -oE '[0-9]+' || true)
  echo "${steps:-$(grep -oE '^[0-9]+' <<<"$deno")}"
else echo 0
fi
