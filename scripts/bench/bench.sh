#!/usr/bin/env bash
# `npm run bench`: kafka-notify against its peers on the local broker
# (started here, and stopped afterwards, unless it already runs), then the
# compression codecs against native ones, then the cost of typed
# notifications' validation and of the notifier's statistics, then how soon a listener
# rejoins after restarts (scripts/bench/rejoin.ts), then broker faults on a 3-broker cluster
# (scripts/bench/faults.sh); each writes its section of docs/benchmarks.md.
# Arguments go to scripts/bench/run.ts (--quick, --runs N,
# --only producers,listeners,latency,memory, --no-write); the compression
# table is left alone when --only, --quick or --no-write is given.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/lib/bootstrap.sh
bash scripts/setup-peers.sh
if ! bash scripts/kafka/kafka.sh status >/dev/null 2>&1; then
  # The broker as Kafka's own kafka-server-start.sh runs it (1 GiB heap, G1 with 20 ms pause goal),
  # not the small serial-GC test broker: latency percentiles depend on the broker's pauses.
  export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms1g -Xmx1g}"
  export KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
  bash scripts/kafka/kafka.sh start >&2
  trap 'bash scripts/kafka/kafka.sh stop >&2' EXIT
fi
export NODE24 DENO BUN
"$NODE24" --no-warnings scripts/bench/run.ts "$@"
case " $* " in *" --no-write "*) ;; *) "$NODE24" --no-warnings scripts/bench/validation.ts && "$NODE24" --no-warnings scripts/bench/stats-cost.ts ;; esac
case " $* " in *" --only "* | *" --quick "* | *" --no-write "*) exit 0 ;; esac
# Native codec peers for the compression table: .cache/bench only, never package.json.
if [ ! -d .cache/bench/node_modules/snappy ] || [ ! -d .cache/bench/node_modules/lz4-napi ]; then
  mkdir -p .cache/bench
  [ -f .cache/bench/package.json ] || echo '{ "private": true }' >.cache/bench/package.json
  npm install --prefix .cache/bench --no-audit --no-fund snappy@7 lz4-napi@2 >&2 ||
    echo "bench.sh: the native snappy and lz4 peers did not install; their compression rows compare nothing" >&2
fi
"$NODE24" --no-warnings scripts/bench/compression.ts
# Rejoin times on the local broker (SIGKILLs it and starts it again), then faults on a 3-broker cluster.
"$NODE24" --no-warnings scripts/bench/rejoin.ts
# Broker faults on a 3-broker cluster, against the Python and Java producers.
bash scripts/bench/faults.sh
