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
  # the fault and Kafka 4 legs' brokers, if a leg was interrupted (k4 is defined below;
  # stopping brokers that do not run does nothing)
  if [[ -z "${KAFKA_URL:-}" ]]; then
    bash scripts/kafka/kafka.sh stop --cluster >/dev/null 2>&1 || true
    if [[ -d "$ROOT/.cache/kafka/run-${KAFKA4_VERSION:-}" ]]; then k4 cluster stop || true; k4 single stop || true; fi
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

declare -A PASSED FAILED
LEGS=()
FAILURES=0

# run NAME COMMAND...: runs one leg, keeps its log, records its counts.
run() {
  local name="$1"; shift
  say "$name"
  local log="$LOGS/$name.log" status=0
  "$@" 2>&1 | tee "$log" || status=$?
  local pass fail
  pass=$(bash scripts/lib/count.sh pass "$log")
  fail=$(bash scripts/lib/count.sh fail "$log")
  if [[ $status -ne 0 && $fail -eq 0 ]]; then fail=1; fi
  LEGS+=("$name")
  PASSED[$name]=$pass
  FAILED[$name]=$fail
  FAILURES=$((FAILURES + fail))
}

run node24 "$NODE24" --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 "${ALL[@]}"
run node22 "$NODE22" --experimental-strip-types --no-warnings=ExperimentalWarning --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 "${SHARED[@]}"
run deno "$DENO" test -A --no-check "${SHARED[@]}"
run bun "$BUN" test --timeout 600000 "${SHARED[@]}"
run package bash scripts/package-test.sh
# Every program in examples/, started with its own runtime and driven from Node 24.
run examples "$NODE24" --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 tests/examples/*.test.ts

# Broker faults, Node 24 only, on a 3-broker cluster this script starts and stops (by pid,
# through kafka.sh); the fault tests also stop and start the single broker. Then the same
# faults and the core notify/listen tests against Kafka 4, on brokers of their own (state
# dirs and ports apart from the 3.9.2 ones).
FAULTS=(tests/faults/*.test.ts)
KAFKA4_VERSION="${KAFKA4_VERSION:-4.4.0}"
NODE_FAULTS=("$NODE24" --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000)
k4() { # k4 single|cluster kafka.sh-args...: kafka.sh on the Kafka 4 brokers
  local mode="$1"; shift
  if [[ "$mode" == cluster ]]; then
    KAFKA_VERSION="$KAFKA4_VERSION" KAFKA_STATE_DIR="$ROOT/.cache/kafka/cluster-$KAFKA4_VERSION" \
      KAFKA_PORT_BASE="${KAFKA4_CLUSTER_PORT_BASE:-19292}" bash scripts/kafka/kafka.sh "$@" --cluster 3
  else
    KAFKA_VERSION="$KAFKA4_VERSION" KAFKA_STATE_DIR="$ROOT/.cache/kafka/run-$KAFKA4_VERSION" \
      KAFKA_PORT_BASE="${KAFKA4_PORT_BASE:-9292}" bash scripts/kafka/kafka.sh "$@" --single
  fi
}
faults_leg() { # the 3.9.2 cluster around the fault suite
  local status=0
  bash scripts/kafka/kafka.sh start --cluster 3 || return 1
  "${NODE_FAULTS[@]}" "${FAULTS[@]}" || status=$?
  bash scripts/kafka/kafka.sh stop --cluster || true
  return "$status"
}
kafka4_leg() { # Kafka 4 single broker and cluster around the core tests and the fault suite
  local status=0
  if k4 single start && k4 cluster start; then
    KAFKA_STATE_DIR="$ROOT/.cache/kafka/run-$KAFKA4_VERSION" KAFKA_CLUSTER_STATE_DIR="$ROOT/.cache/kafka/cluster-$KAFKA4_VERSION" \
      "${NODE_FAULTS[@]}" tests/integration/notify.test.ts tests/integration/delivery.test.ts "${FAULTS[@]}" || status=$?
  else
    status=1
  fi
  k4 cluster stop || true
  k4 single stop || true
  return "$status"
}
if [[ -z "${KAFKA_URL:-}" ]]; then
  run faults faults_leg
  run "kafka$KAFKA4_VERSION" kafka4_leg
fi

# Stop what we started before the summary, so that the summary closes the output.
stop_kafka >/dev/null 2>&1
STARTED_KAFKA=0

say "pass counts per runtime"
total_pass=0
total_fail=0
for name in "${LEGS[@]}"; do
  printf '  %-11s %4d passed, %d failed\n' "$name" "${PASSED[$name]}" "${FAILED[$name]}"
  total_pass=$((total_pass + PASSED[$name]))
  total_fail=$((total_fail + FAILED[$name]))
done
echo "$total_pass passed, $total_fail failed"
[[ $FAILURES -eq 0 ]]
