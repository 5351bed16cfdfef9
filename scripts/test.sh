#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (npm
# packages, runtimes, Debian peers, Kafka's jars), starts a local Kafka
# unless KAFKA_URL names one, runs every suite on every runtime, prints
# pass counts per runtime, and stops what it started.
#
#   npm test            everything
#   npm test -- unit    unit tests only (no broker, no Debian peers)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WHAT="${1:-all}"
LOGS="$ROOT/.cache/test-logs"
mkdir -p "$LOGS"

say() { printf '\n== %s\n' "$*"; }

say "dependencies"
source scripts/lib/bootstrap.sh

# Unit tests need npm packages only: no Debian peers, no broker.
if [[ "$WHAT" == "unit" ]]; then
  "$NODE24" --test tests/unit/*.test.ts
  exit
fi
bash scripts/setup-peers.sh

say "static checks"
npx tsc --noEmit -p .
npx biome check .
"$NODE24" scripts/check-examples.ts # every @example of the public API type-checks

STARTED_KAFKA=0
stop_kafka() {
  if [[ "$STARTED_KAFKA" == 1 ]]; then bash scripts/kafka/kafka.sh stop || true; fi
  # the fault and Kafka 4 legs' brokers, if a leg was interrupted (stopping brokers that
  # do not run does nothing)
  if [[ -z "${KAFKA_URL:-}" ]]; then
    bash scripts/kafka/kafka.sh stop --cluster >/dev/null 2>&1 || true
    for dir in "$ROOT"/.cache/kafka/run-* "$ROOT"/.cache/kafka/cluster-*; do
      if [[ -d "$dir" ]]; then KAFKA_STATE_DIR="$dir" bash scripts/kafka/kafka.sh stop >/dev/null 2>&1 || true; fi
    done
  fi
}
trap stop_kafka EXIT
if [[ -z "${KAFKA_URL:-}" ]]; then
  say "local Kafka"
  bash scripts/kafka/kafka.sh status >/dev/null 2>&1 || STARTED_KAFKA=1
  bash scripts/kafka/kafka.sh start
fi

# The suite every runtime runs; Node 24 also runs the scripts, interop, CLI and workerd tests.
SHARED=(tests/unit/*.test.ts tests/integration/notify.test.ts tests/integration/codecs.test.ts
  tests/integration/security.test.ts tests/integration/delivery.test.ts tests/integration/observe.test.ts
  tests/integration/typed.test.ts tests/integration/otel.test.ts
  tests/runtimes/socket-adapter.test.ts tests/runtimes/entries.test.ts)
ALL=(tests/unit/*.test.ts tests/interop/*.test.ts tests/integration/*.test.ts tests/runtimes/*.test.ts)

declare -A PASSED FAILED SECS
LEGS=()
FAILURES=0
# Every leg runs under a watchdog (scripts/lib/watchdog.sh): a limit of its own, and never past
# what is left of the run's budget (CI stops at 90 minutes; the whole run takes about 30).
BUDGET_END=$((SECONDS + ${KN_TEST_BUDGET_S:-4800}))
# A single test fails after this long (node's --test-timeout, bun's --timeout).
TEST_TIMEOUT_MS="${KN_TEST_TIMEOUT_MS:-180000}"
export KN_TEST_TIMEOUT_MS="$TEST_TIMEOUT_MS"

# run NAME LIMIT_SECONDS COMMAND...: runs one leg under its watchdog, keeps its log, records its counts.
run() {
  local name="$1" limit="$2"; shift 2
  local left=$((BUDGET_END - SECONDS))
  if ((left < limit)); then limit=$left; fi
  say "$name (limit ${limit} s)"
  local log="$LOGS/$name.log" status=0 started=$SECONDS
  if ((limit <= 0)); then
    echo "!! no time left in the run's budget for this leg" | tee "$log"
    status=124
  else
    bash scripts/lib/watchdog.sh "$limit" "$log" "$@" || status=$?
  fi
  local pass fail
  pass=$(bash scripts/lib/count.sh pass "$log")
  fail=$(bash scripts/lib/count.sh fail "$log")
  if [[ $status -ne 0 && $fail -eq 0 ]]; then fail=1; fi
  if [[ $status -eq 124 ]]; then echo "!! $name: stopped by its watchdog after ${limit} s (see above)" >&2; fi
  LEGS+=("$name")
  PASSED[$name]=$pass
  FAILED[$name]=$fail
  SECS[$name]=$((SECONDS - started))
  FAILURES=$((FAILURES + fail))
}

# kafkajs, the reference client some tests run beside ours, arms its request queue's throttle timer
# with a negative delay whenever nothing is throttled (src/network/requestQueue/index.js,
# scheduleCheckPendingRequests); Node clamps it to 1 ms and warns. kafkajs is frozen, so the test
# processes that load it silence that one warning by name (Node and Bun; Deno has no such flag);
# every other warning still prints.
NODE_TEST=(--disable-warning=TimeoutNegativeWarning --test --test-reporter=spec --test-concurrency=1 --test-timeout="$TEST_TIMEOUT_MS")
run node24 1200 "$NODE24" "${NODE_TEST[@]}" "${ALL[@]}"
run node22 600 "$NODE22" --experimental-strip-types --no-warnings=ExperimentalWarning "${NODE_TEST[@]}" "${SHARED[@]}"
run deno 600 "$DENO" test -A --no-check "${SHARED[@]}"
run bun 600 "$BUN" --disable-warning=TimeoutNegativeWarning test --timeout "$TEST_TIMEOUT_MS" "${SHARED[@]}"
run package 600 bash scripts/package-test.sh
# Every program in examples/, started with its own runtime and driven from Node 24.
run examples 600 "$NODE24" "${NODE_TEST[@]}" tests/examples/*.test.ts

# Broker faults, Node 24 only, on a 3-broker cluster the leg starts and stops (by pid, through
# kafka.sh); the fault tests also stop and start the single broker. Then the same faults and the
# core notify/listen tests against Kafka 4, on brokers of their own (state dirs and ports apart
# from the 3.9.2 ones).
KAFKA4_VERSION="${KAFKA4_VERSION:-4.4.0}"
if [[ -z "${KAFKA_URL:-}" ]]; then
  run faults 900 bash scripts/lib/broker-legs.sh faults
  run "kafka$KAFKA4_VERSION" 900 bash scripts/lib/broker-legs.sh kafka4
fi

# Stop what we started before the summary, so that the summary closes the output.
stop_kafka >/dev/null 2>&1
STARTED_KAFKA=0

say "pass counts per runtime"
total_pass=0
total_fail=0
for name in "${LEGS[@]}"; do
  printf '  %-11s %4d passed, %d failed  (%d s)\n' "$name" "${PASSED[$name]}" "${FAILED[$name]}" "${SECS[$name]}"
  total_pass=$((total_pass + PASSED[$name]))
  total_fail=$((total_fail + FAILED[$name]))
done
echo "$total_pass passed, $total_fail failed"
[[ $FAILURES -eq 0 ]]
