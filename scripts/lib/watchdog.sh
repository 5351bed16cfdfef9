#!/usr/bin/env bash
# Runs one leg of the test suite under a time limit, in a process group of its own:
#
#   bash scripts/lib/watchdog.sh LIMIT_SECONDS LOG COMMAND...
#
# The leg's output goes to stdout and to LOG. When the limit passes, the watchdog
# prints the test files still running and the last lines of the leg's output,
# sends TERM to the whole group (KILL 15 s later), and exits 124; otherwise the
# leg's own exit status.
set -uo pipefail
limit="$1" log="$2"
shift 2

: >"$log"
# setsid: the leg and everything it starts share one new process group, killed as one.
setsid "$@" > >(tee -a "$log") 2>&1 &
leg=$!
deadline=$((SECONDS + limit))
while kill -0 "$leg" 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    {
      printf '\n!! watchdog: this leg ran past its limit of %d s and is stopped\n' "$limit"
      echo "!! still running (test files among them):"
      ps -o pid=,etimes=,args= -g "$leg" 2>/dev/null | grep -E '\.test\.ts|\.test\.mjs|test' | cut -c1-240 | sed 's/^/!!   /'
      echo "!! last lines of its output:"
      tail -n 40 "$log" | sed 's/^/!!   /'
    } >&2
    kill -TERM -- "-$leg" 2>/dev/null
    for _ in $(seq 15); do kill -0 "$leg" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$leg" 2>/dev/null
    wait "$leg" 2>/dev/null
    exit 124
  fi
  sleep 1
done
wait "$leg"
