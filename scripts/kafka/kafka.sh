#!/usr/bin/env bash
# Local Apache Kafka (KRaft) for kafka-notify's integration tests and benchmarks.
# Jars come from Maven Central via `mvn`; the broker runs on this machine's Java.
# Run `scripts/kafka/kafka.sh help` for usage.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"

# Default 3.9.x, not 4.x: Kafka 4.x brokers reject the SCRAM client-final-message of
# librdkafka < 2.6.1 (nonce bug, librdkafka PR #4895), and Debian bookworm's kcat and
# python3-confluent-kafka (used by oslo.messaging) link librdkafka 2.0.2. kafkajs 2.2.4 itself
# works with 4.x (npm test runs a leg against 4.4.0, the newest release Maven Central serves).
KAFKA_VERSION="${KAFKA_VERSION:-3.9.2}"
KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
CACHE_DIR="${KAFKA_CACHE_DIR:-$REPO_DIR/.cache/kafka}"
# One jar directory per version, so that a 4.x leg does not evict the default version's jars.
DEFAULT_KAFKA_VERSION=3.9.2
if [ "$KAFKA_VERSION" = "$DEFAULT_KAFKA_VERSION" ]; then LIBS_DIR="$CACHE_DIR/libs"; else LIBS_DIR="$CACHE_DIR/libs-$KAFKA_VERSION"; fi
FETCH_MARKER="$LIBS_DIR/.fetched-$KAFKA_VERSION"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseSerialGC -XX:+TieredCompilation -Xss1m -Djava.awt.headless=true}"

# Listener offsets from the port base; broker i of a cluster adds 10*(i-1).
# PROXIED is a PLAINTEXT listener on +6 that advertises +7, where fault tests put a TCP proxy
# (tests/support/proxy.ts): clients that bootstrap from +7 reach every broker through its proxy.
OFF_PLAINTEXT=0 OFF_SASL_PLAINTEXT=1 OFF_SSL=2 OFF_SASL_SSL=3 OFF_MTLS=4 OFF_CONTROLLER=5 OFF_PROXIED=6 OFF_PROXY=7

# Credentials (fixed, test-only). Passwords deliberately contain characters that must be
# percent-encoded in a URL ('@', '/', '+', ' ', '%'); Kafka's JAAS parser and the
# kafka-storage --add-scram parser both accept them (no '"', '\', ',', '=' or ']').
PLAIN_USER="notify-plain"
PLAIN_PASSWORD="plain p@ss/w+rd%1"
SCRAM_USER="notify-scram"
SCRAM_PASSWORD="scram p@ss/w+rd%2"
CLIENT_KEY_PASSWORD="client-key-pass"
ADMIN_PASSWORD="admin-secret"

usage() {
  cat <<EOF
usage: scripts/kafka/kafka.sh <command> [--cluster [3]] [--single]

commands:
  fetch            resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (+ kafka-tools, log4j2 binding)
                   with mvn into \$KAFKA_CACHE_DIR/libs (libs-<version> for versions other than
                   $DEFAULT_KAFKA_VERSION; default .cache/kafka); no network once cached
  start            make certs/users once, format KRaft storage once, start the broker(s), then wait
  wait             wait until every broker answers a metadata request (KAFKA_START_TIMEOUT, default 90 s)
  stop             stop by recorded pid (TERM, then KILL after KAFKA_STOP_TIMEOUT=30 s);
                   without a flag stops BOTH the single broker and the cluster
  status           what runs where; exit 0 if running, 3 if not
  env              print the state dir's kafka.json
  run-class <class> [args...]
                   run a Java class from the cached jars (tools log WARN to stderr), e.g.
                   org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
                   org.apache.kafka.tools.ProducerPerformance / ConsumerPerformance

modes:
  single (default)  one broker+controller, state dir \${KAFKA_STATE_DIR:-.cache/kafka/run},
                    ports from KAFKA_PORT_BASE (default 9092):
                    PLAINTEXT +0, SASL_PLAINTEXT +1, SSL +2, SASL_SSL +3, mTLS (SSL, client auth required) +4,
                    CONTROLLER +5, PROXIED (PLAINTEXT) +6 advertising +7, where fault tests run a proxy
  --cluster 3       three broker+controllers (3-voter quorum), state dir \${KAFKA_STATE_DIR:-.cache/kafka/cluster},
                    KAFKA_PORT_BASE default 19092; broker i uses base+10*(i-1)+offset (same offsets as above)

environment:
  KAFKA_VERSION (default $KAFKA_VERSION)  KAFKA_CACHE_DIR  KAFKA_STATE_DIR  KAFKA_PORT_BASE
  KAFKA_NUM_PARTITIONS (default 1)  KAFKA_MIN_ISR (min.insync.replicas, default 1)
  KAFKA_DEFAULT_RF (default.replication.factor, default 1)  KAFKA_OFFSETS_PARTITIONS (default 10)
  KAFKA_HEAP_OPTS (default "-Xms256m -Xmx512m")  KAFKA_JVM_OPTS  KAFKA_START_TIMEOUT  KAFKA_STOP_TIMEOUT

The state dir holds certificates (ca.pem, server.pem, server.key, client.pem, client.key,
client-encrypted.key, other-ca.pem), broker-N/ (server.properties, data, server.log, gc.log, pid) and
kafka.json, which tests read.
EOF
}

die() { echo "kafka.sh: $*" >&2; exit 1; }
log() { echo "kafka.sh: $*" >&2; }

# ---------------------------------------------------------------- arguments
CMD="${1:-help}"
shift || true
MODE=""
CLUSTER_SIZE=1
RUN_ARGS=()
if [ "$CMD" = run-class ]; then RUN_ARGS=("$@"); set --; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --cluster)
      MODE=cluster; CLUSTER_SIZE=3
      if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then CLUSTER_SIZE="$2"; shift; fi
      ;;
    --cluster=*) MODE=cluster; CLUSTER_SIZE="${1#--cluster=}" ;;
    --single) MODE=single ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see: kafka.sh help)" ;;
  esac
  shift
done
[ "$CLUSTER_SIZE" = 1 ] || [ "$CLUSTER_SIZE" = 3 ] || die "--cluster supports 3 brokers only (got $CLUSTER_SIZE)"

# Sets STATE_DIR, PORT_BASE, N for a mode.
select_mode() {
  local m="$1"
  if [ "$m" = cluster ]; then
    STATE_DIR="${KAFKA_STATE_DIR:-$CACHE_DIR/cluster}"
    PORT_BASE="${KAFKA_PORT_BASE:-19092}"
    N=3
  else
    STATE_DIR="${KAFKA_STATE_DIR:-$CACHE_DIR/run}"
    PORT_BASE="${KAFKA_PORT_BASE:-9092}"
    N=1
  fi
  CUR_MODE="$m"
  mkdir -p "$STATE_DIR"
  STATE_DIR="$(cd "$STATE_DIR" && pwd)"
  # A state dir keeps the ports and mode it was created with.
  if [ -f "$STATE_DIR/ports.env" ]; then
    # shellcheck disable=SC1091
    . "$STATE_DIR/ports.env"
    if [ "$SAVED_MODE" != "$m" ]; then
      die "$STATE_DIR was created for mode '$SAVED_MODE', not '$m'; use another KAFKA_STATE_DIR"
    fi
    if [ -n "${KAFKA_PORT_BASE:-}" ] && [ "$KAFKA_PORT_BASE" != "$SAVED_PORT_BASE" ] && ! any_running; then
      PORT_BASE="$KAFKA_PORT_BASE"
    else
      PORT_BASE="$SAVED_PORT_BASE"
    fi
  fi
}

port() { # port <broker 1..N> <offset>
  echo $((PORT_BASE + 10 * ($1 - 1) + $2))
}

broker_dir() { echo "$STATE_DIR/broker-$1"; }

# ---------------------------------------------------------------- fetch
java_cp() { echo "$LIBS_DIR/*"; }

cmd_fetch() {
  if [ -f "$FETCH_MARKER" ]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  command -v java >/dev/null || die "java not found (Java 17+ needed)"
  local build="$CACHE_DIR/fetch"
  mkdir -p "$build"
  cat >"$build/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafka-notify.local</groupId>
  <artifactId>kafka-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
$(logging_deps)
  </dependencies>
</project>
EOF
  log "fetching Kafka $KAFKA_VERSION jars with mvn into $LIBS_DIR"
  rm -rf "$LIBS_DIR"
  mkdir -p "$LIBS_DIR"
  if ! (cd "$build" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS_DIR" >&2); then
    die "mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (set KAFKA_VERSION to another release?)"
  fi
  [ -f "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"
  [ -f "$LIBS_DIR/kafka-tools-$KAFKA_VERSION.jar" ] || die "kafka-tools-$KAFKA_VERSION.jar missing after mvn"
  write_log4j_configs
  date -u +%FT%TZ >"$FETCH_MARKER"
  log "fetched $(ls "$LIBS_DIR"/*.jar | wc -l) jars"
}

# Kafka's poms use slf4j-api 1.7.x and ship no binding; add the one the Kafka distribution uses:
# log4j2 (log4j-slf4j-impl) for 4.x, reload4j (slf4j-reload4j) for 3.x.
logging_deps() {
  if [ "$KAFKA_MAJOR" -ge 4 ]; then
    local v="${KAFKA_LOG4J2_VERSION:-2.25.4}" a
    for a in log4j-slf4j-impl log4j-core log4j-api; do
      echo "    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
    done
  else
    echo "    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>"
    echo "    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>"
  fi
}

# JVM system property selecting the logging config: log_props server|tools
log_props() {
  if [ "$KAFKA_MAJOR" -ge 4 ]; then
    echo "-Dlog4j2.configurationFile=$CACHE_DIR/log4j2-$1.xml"
  else
    echo "-Dlog4j.configuration=file:$CACHE_DIR/log4j-$1.properties"
  fi
}

write_log4j_configs() {
  cat >"$CACHE_DIR/log4j-server.properties" <<'EOF'
log4j.rootLogger=INFO, server
log4j.appender.server=org.apache.log4j.RollingFileAppender
log4j.appender.server.File=${kafka.logs.dir}/server.log
log4j.appender.server.MaxFileSize=50MB
log4j.appender.server.MaxBackupIndex=2
log4j.appender.server.layout=org.apache.log4j.PatternLayout
log4j.appender.server.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
EOF
  cat >"$CACHE_DIR/log4j-tools.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
  cat >"$CACHE_DIR/log4j2-server.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="server" fileName="${sys:kafka.logs.dir}/server.log" filePattern="${sys:kafka.logs.dir}/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="50 MB"/></Policies>
      <DefaultRolloverStrategy max="2"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="server"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="org.apache.kafka.common.security.authenticator" level="INFO"/>
  </Loggers>
</Configuration>
EOF
  cat >"$CACHE_DIR/log4j2-tools.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console>
  </Appenders>
  <Loggers>
    <Root level="WARN"><AppenderRef ref="stderr"/></Root>
  </Loggers>
</Configuration>
EOF
}

# Run a Kafka tool class from the cached jars: kafka.sh internals and tests use this.
run_tool() {
  local cls="$1"; shift
  # shellcheck disable=SC2046
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 $(log_props tools) \
    -cp "$(java_cp)" "$cls" "$@"
}

# ---------------------------------------------------------------- TLS material
make_certs() {
  local d="$STATE_DIR"
  [ -f "$d/.certs-done" ] && return 0
  command -v openssl >/dev/null || die "openssl not found"
  log "generating CA, server and client certificates in $d"
  local tmp="$d/.certs-tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  (
    set -e
    cd "$tmp"
    # CA
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
      -keyout ca.key -out ca.pem -subj "/CN=kafka-notify test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    # other, unrelated CA (negative tests)
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
      -keyout other-ca.key -out other-ca.pem -subj "/CN=kafka-notify OTHER test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    # server: SAN localhost + 127.0.0.1 only (127.0.0.2 is the host-name-mismatch case)
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
      -extfile server.ext -out server.pem 2>/dev/null
    # client (mTLS)
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout client.key -out client.csr -subj "/CN=kafka-notify-client" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=clientAuth" >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
      -extfile client.ext -out client.pem 2>/dev/null
    # same client key, PKCS#8 encrypted PEM (-----BEGIN ENCRYPTED PRIVATE KEY-----)
    openssl pkcs8 -topk8 -v2 aes-256-cbc -in client.key -out client-encrypted.key \
      -passout "pass:$CLIENT_KEY_PASSWORD"
    # Kafka PEM keystore: unencrypted PKCS#8 key followed by the certificate chain
    openssl pkcs8 -topk8 -nocrypt -in server.key -out server-pkcs8.key
    cat server-pkcs8.key server.pem ca.pem >server-keystore.pem
    rm -f ./*.csr ./*.ext ./*.srl
  ) || die "certificate generation failed"
  chmod 600 "$tmp"/*.key "$tmp/server-keystore.pem"
  mv "$tmp"/* "$d/"
  rmdir "$tmp"
  touch "$d/.certs-done"
}

# ---------------------------------------------------------------- config
write_broker_config() { # <id>
  local i="$1" bd; bd="$(broker_dir "$i")"
  mkdir -p "$bd/data"
  local voters="" j
  for j in $(seq 1 "$N"); do
    voters="${voters:+$voters,}$j@127.0.0.1:$(port "$j" $OFF_CONTROLLER)"
  done
  local rf=1 isr=1
  [ "$N" -ge 3 ] && rf=3 && isr=2
  local p0 p1 p2 p3 p4 p5 p6 p7
  p0=$(port "$i" $OFF_PLAINTEXT); p1=$(port "$i" $OFF_SASL_PLAINTEXT); p2=$(port "$i" $OFF_SSL)
  p3=$(port "$i" $OFF_SASL_SSL); p4=$(port "$i" $OFF_MTLS); p5=$(port "$i" $OFF_CONTROLLER)
  p6=$(port "$i" $OFF_PROXIED); p7=$(port "$i" $OFF_PROXY)
  local scram_jaas='org.apache.kafka.common.security.scram.ScramLoginModule required;'
  local plain_jaas="org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"$ADMIN_PASSWORD\" user_admin=\"$ADMIN_PASSWORD\" user_$PLAIN_USER=\"$PLAIN_PASSWORD\";"
  cat >"$bd/server.properties" <<EOF
# generated by scripts/kafka/kafka.sh ($CUR_MODE mode, broker $i of $N)
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$p0,SASL_PLAINTEXT://127.0.0.1:$p1,SSL://127.0.0.1:$p2,SASL_SSL://127.0.0.1:$p3,MTLS://127.0.0.1:$p4,CONTROLLER://127.0.0.1:$p5,PROXIED://127.0.0.1:$p6
advertised.listeners=PLAINTEXT://127.0.0.1:$p0,SASL_PLAINTEXT://127.0.0.1:$p1,SSL://127.0.0.1:$p2,SASL_SSL://127.0.0.1:$p3,MTLS://127.0.0.1:$p4,PROXIED://127.0.0.1:$p7
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT,PROXIED:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$bd/data

# SASL
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=$plain_jaas
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=$scram_jaas
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$scram_jaas
listener.name.sasl_ssl.plain.sasl.jaas.config=$plain_jaas
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram_jaas
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram_jaas

# TLS (PEM key store / trust store)
ssl.keystore.type=PEM
ssl.keystore.location=$STATE_DIR/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$STATE_DIR/ca.pem
ssl.client.auth=none
listener.name.mtls.ssl.client.auth=required

# behaviour
auto.create.topics.enable=true
num.partitions=${KAFKA_NUM_PARTITIONS:-1}
default.replication.factor=${KAFKA_DEFAULT_RF:-1}
min.insync.replicas=${KAFKA_MIN_ISR:-1}
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=${KAFKA_OFFSETS_PARTITIONS:-10}
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=104857600
delete.topic.enable=true
EOF
}

format_storage() { # <id>
  local i="$1" bd; bd="$(broker_dir "$i")"
  [ -f "$bd/data/meta.properties" ] && return 0
  log "formatting KRaft storage for broker $i"
  local out
  if ! out=$(run_tool kafka.tools.StorageTool format --ignore-formatted \
      -t "$CLUSTER_ID" -c "$bd/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]" \
      --add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]" 2>&1); then
    echo "$out" >&2
    die "kafka-storage format failed for broker $i"
  fi
}

# ---------------------------------------------------------------- processes
pid_of() { # <id> -> prints pid if alive and ours
  local pf; pf="$(broker_dir "$1")/pid"
  [ -f "$pf" ] || return 1
  local pid; pid="$(cat "$pf" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: the command line must be our broker with our config
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(broker_dir "$1")/server.properties" || return 1
  echo "$pid"
}

any_running() {
  local i
  for i in $(seq 1 "$N"); do pid_of "$i" >/dev/null && return 0; done
  return 1
}

launch() { # <id>
  local i="$1" bd; bd="$(broker_dir "$i")"
  rm -f "$bd/pid"
  # setsid: own session, so the broker outlives this shell and its terminal.
  # The inner shell writes its own pid then execs java, so the pid file is java's pid.
  # shellcheck disable=SC2086
  KAFKA_LAUNCH_PID_FILE="$bd/pid" nohup setsid bash -c 'echo $$ >"$KAFKA_LAUNCH_PID_FILE"; exec "$@"' kafka-broker \
    java $HEAP_OPTS $JVM_OPTS \
      "-Xlog:gc:file=$bd/gc.log:time:filecount=2,filesize=10m" \
      $(log_props server) \
      -Dkafka.logs.dir="$bd" \
      -cp "$(java_cp)" kafka.Kafka "$bd/server.properties" \
      >"$bd/kafka.out" 2>&1 </dev/null &
  local k
  for k in $(seq 1 50); do [ -s "$bd/pid" ] && break; sleep 0.1; done
  [ -s "$bd/pid" ] || die "broker $i did not record its pid"
}

# Does broker <id> answer a metadata request that lists all N brokers?
answers() {
  local i="$1" p; p=$(port "$i" $OFF_PLAINTEXT)
  if command -v kcat >/dev/null; then
    local out
    # One topic keeps the answer small; a here-string (not a pipe) keeps `grep -q`
    # from breaking the pipeline with SIGPIPE under pipefail on a long answer.
    out=$(timeout 10 kcat -L -b "127.0.0.1:$p" -t __consumer_offsets -m 3 2>/dev/null) || return 1
    grep -qE "^ *$N brokers:" <<<"$out" || return 1
    return 0
  else
    local out
    local cls=org.apache.kafka.tools.BrokerApiVersionsCommand
    [ "$KAFKA_MAJOR" -ge 4 ] || cls=kafka.admin.BrokerApiVersionsCommand
    out=$(timeout 30 "$0" run-class "$cls" --bootstrap-server "127.0.0.1:$p" 2>/dev/null) || return 1
    [ "$(echo "$out" | grep -c '(id: ')" -ge "$N" ] || return 1
    return 0
  fi
}

cmd_wait() {
  local deadline=$((SECONDS + START_TIMEOUT)) i ok
  while :; do
    ok=1
    for i in $(seq 1 "$N"); do
      if ! pid_of "$i" >/dev/null; then
        fail_wait "broker $i (state dir $STATE_DIR) is not running" "$i"
      fi
      answers "$i" || { ok=0; break; }
    done
    [ "$ok" = 1 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      fail_wait "broker(s) did not answer a metadata request within ${START_TIMEOUT}s" "${i:-1}"
    fi
    sleep 0.5
  done
}

fail_wait() { # <message> <broker id>
  local bd; bd="$(broker_dir "$2")"
  {
    echo "kafka.sh: ERROR: $1"
    echo "---- last 40 lines of $bd/server.log ----"
    tail -n 40 "$bd/server.log" 2>/dev/null || echo "(no server.log)"
    if [ -s "$bd/kafka.out" ]; then
      echo "---- last 20 lines of $bd/kafka.out (stdout/stderr) ----"
      tail -n 20 "$bd/kafka.out"
    fi
  } >&2
  exit 1
}

json_str() { # JSON string literal
  local s="$1"
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

write_json() {
  local list_pt="" list_sp="" list_ssl="" list_ss="" list_mtls="" list_px="" brokers="" i pid
  for i in $(seq 1 "$N"); do
    list_pt="${list_pt:+$list_pt,}127.0.0.1:$(port "$i" $OFF_PLAINTEXT)"
    list_sp="${list_sp:+$list_sp,}127.0.0.1:$(port "$i" $OFF_SASL_PLAINTEXT)"
    list_ssl="${list_ssl:+$list_ssl,}127.0.0.1:$(port "$i" $OFF_SSL)"
    list_ss="${list_ss:+$list_ss,}127.0.0.1:$(port "$i" $OFF_SASL_SSL)"
    list_mtls="${list_mtls:+$list_mtls,}127.0.0.1:$(port "$i" $OFF_MTLS)"
    list_px="${list_px:+$list_px,}127.0.0.1:$(port "$i" $OFF_PROXY)"
    pid="$(pid_of "$i" || echo null)"
    brokers="${brokers:+$brokers,
}    { \"id\": $i, \"pid\": $pid, \"log\": $(json_str "$(broker_dir "$i")/server.log"), \"gcLog\": $(json_str "$(broker_dir "$i")/gc.log"), \"config\": $(json_str "$(broker_dir "$i")/server.properties"), \"ports\": { \"plaintext\": $(port "$i" $OFF_PLAINTEXT), \"sasl_plaintext\": $(port "$i" $OFF_SASL_PLAINTEXT), \"ssl\": $(port "$i" $OFF_SSL), \"sasl_ssl\": $(port "$i" $OFF_SASL_SSL), \"mtls\": $(port "$i" $OFF_MTLS), \"controller\": $(port "$i" $OFF_CONTROLLER), \"proxied\": $(port "$i" $OFF_PROXIED), \"proxy\": $(port "$i" $OFF_PROXY) } }"
  done
  local d="$STATE_DIR"
  cat >"$d/kafka.json.tmp" <<EOF
{
  "mode": "$CUR_MODE",
  "version": "$KAFKA_VERSION",
  "stateDir": $(json_str "$d"),
  "libsDir": $(json_str "$LIBS_DIR"),
  "clusterId": "$CLUSTER_ID",
  "bootstrap": {
    "plaintext": "$list_pt",
    "sasl_plaintext": "$list_sp",
    "ssl": "$list_ssl",
    "sasl_ssl": "$list_ss",
    "mtls": "$list_mtls",
    "proxied": "$list_px"
  },
  "brokers": [
$brokers
  ],
  "tls": {
    "caFile": $(json_str "$d/ca.pem"),
    "otherCaFile": $(json_str "$d/other-ca.pem"),
    "clientCertFile": $(json_str "$d/client.pem"),
    "clientKeyFile": $(json_str "$d/client.key"),
    "clientKeyEncryptedFile": $(json_str "$d/client-encrypted.key"),
    "clientKeyPassword": $(json_str "$CLIENT_KEY_PASSWORD"),
    "serverCertFile": $(json_str "$d/server.pem"),
    "serverNames": ["localhost", "127.0.0.1"]
  },
  "users": {
    "PLAIN": { "username": $(json_str "$PLAIN_USER"), "password": $(json_str "$PLAIN_PASSWORD") },
    "SCRAM-SHA-256": { "username": $(json_str "$SCRAM_USER"), "password": $(json_str "$SCRAM_PASSWORD") },
    "SCRAM-SHA-512": { "username": $(json_str "$SCRAM_USER"), "password": $(json_str "$SCRAM_PASSWORD") }
  }
}
EOF
  mv "$d/kafka.json.tmp" "$d/kafka.json"
}

cmd_start() {
  cmd_fetch
  command -v java >/dev/null || die "java not found"
  make_certs
  if [ -f "$STATE_DIR/cluster.id" ]; then
    CLUSTER_ID="$(cat "$STATE_DIR/cluster.id")"
  else
    # Kafka cluster ids are 16 random bytes, URL-safe base64 without padding; like Kafka's own
    # Uuid.randomUuid, never one starting with "-", which kafka-storage would read as an option.
    CLUSTER_ID="-"
    while [ "${CLUSTER_ID#-}" != "$CLUSTER_ID" ]; do
      CLUSTER_ID="$(openssl rand 16 | base64 | tr '+/' '-_' | tr -d '=\n')"
    done
    echo "$CLUSTER_ID" >"$STATE_DIR/cluster.id"
  fi
  if [ -f "$STATE_DIR/ports.env" ] && any_running; then
    local all=1 i
    for i in $(seq 1 "$N"); do pid_of "$i" >/dev/null || all=0; done
    if [ "$all" = 1 ]; then
      if [ "${SAVED_VERSION:-}" != "$KAFKA_VERSION" ]; then
        die "the $CUR_MODE broker(s) in $STATE_DIR run Kafka ${SAVED_VERSION:-?}, not $KAFKA_VERSION; run 'kafka.sh stop' first"
      fi
      log "$CUR_MODE Kafka already running from $STATE_DIR; reusing it"
      cmd_wait
      write_json
      return 0
    fi
  fi
  local i
  if [ -f "$STATE_DIR/ports.env" ] && [ "${SAVED_VERSION:-}" != "$KAFKA_VERSION" ]; then
    # storage formatted by another Kafka version: wipe the brokers' data (certificates stay)
    log "state dir was formatted by Kafka ${SAVED_VERSION:-?}; re-formatting for $KAFKA_VERSION"
    for i in $(seq 1 "$N"); do rm -rf "$(broker_dir "$i")/data"; done
  fi
  printf 'SAVED_MODE=%s\nSAVED_PORT_BASE=%s\nSAVED_VERSION=%s\n' "$CUR_MODE" "$PORT_BASE" "$KAFKA_VERSION" >"$STATE_DIR/ports.env"
  for i in $(seq 1 "$N"); do
    pid_of "$i" >/dev/null && continue
    local p
    for p in $(seq 0 7); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$(port "$i" "$p")") 2>/dev/null; then
        die "port $(port "$i" "$p") on 127.0.0.1 is in use by something else (set KAFKA_PORT_BASE)"
      fi
    done
    write_broker_config "$i"
    format_storage "$i"
  done
  for i in $(seq 1 "$N"); do
    pid_of "$i" >/dev/null && continue
    launch "$i"
    log "broker $i started, pid $(cat "$(broker_dir "$i")/pid"), log $(broker_dir "$i")/server.log"
  done
  cmd_wait
  write_json
  log "$CUR_MODE Kafka $KAFKA_VERSION ready: PLAINTEXT $(port 1 $OFF_PLAINTEXT)..; kafka.json: $STATE_DIR/kafka.json"
}

stop_mode() {
  local pids=() i pid
  for i in $(seq 1 "$N"); do
    if pid="$(pid_of "$i")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    log "stopping $CUR_MODE Kafka (pids ${pids[*]})"
    local deadline=$((SECONDS + STOP_TIMEOUT)) alive
    while :; do
      alive=()
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
      [ ${#alive[@]} -eq 0 ] && break
      if [ $SECONDS -ge $deadline ]; then
        log "pids ${alive[*]} still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
        kill -KILL "${alive[@]}" 2>/dev/null || true
        local k
        for k in $(seq 1 50); do
          alive=()
          for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
          [ ${#alive[@]} -eq 0 ] && break
          sleep 0.1
        done
        break
      fi
      sleep 0.2
    done
  fi
  for i in $(seq 1 "$N"); do rm -f "$(broker_dir "$i")/pid"; done
  [ -f "$STATE_DIR/kafka.json" ] && write_json_if_possible
  return 0
}

write_json_if_possible() {
  [ -f "$STATE_DIR/cluster.id" ] && CLUSTER_ID="$(cat "$STATE_DIR/cluster.id")" && write_json || true
}

status_mode() { # returns 0 if all running
  local i pid running=0
  if [ ! -f "$STATE_DIR/ports.env" ]; then
    echo "$CUR_MODE: not set up ($STATE_DIR)"
    return 3
  fi
  echo "$CUR_MODE Kafka $KAFKA_VERSION, state dir $STATE_DIR"
  for i in $(seq 1 "$N"); do
    if pid="$(pid_of "$i")"; then
      running=$((running + 1))
      echo "  broker $i: running, pid $pid"
    else
      echo "  broker $i: stopped"
    fi
    echo "    PLAINTEXT 127.0.0.1:$(port "$i" $OFF_PLAINTEXT)  SASL_PLAINTEXT :$(port "$i" $OFF_SASL_PLAINTEXT)  SSL :$(port "$i" $OFF_SSL)  SASL_SSL :$(port "$i" $OFF_SASL_SSL)  mTLS :$(port "$i" $OFF_MTLS)  CONTROLLER :$(port "$i" $OFF_CONTROLLER)"
    echo "    log $(broker_dir "$i")/server.log"
  done
  echo "  kafka.json: $STATE_DIR/kafka.json"
  [ "$running" -eq "$N" ] && return 0
  return 3
}

case "$CMD" in
  help|-h|--help) usage ;;
  fetch) cmd_fetch; echo "$LIBS_DIR" ;;
  start) select_mode "${MODE:-single}"; cmd_start ;;
  wait) select_mode "${MODE:-single}"; cmd_wait ;;
  env) select_mode "${MODE:-single}"; cat "$STATE_DIR/kafka.json" ;;
  status)
    select_mode "${MODE:-single}"
    rc=0; status_mode || rc=$?
    exit "$rc"
    ;;
  stop)
    if [ -n "$MODE" ]; then
      select_mode "$MODE"; stop_mode
    elif [ -n "${KAFKA_STATE_DIR:-}" ]; then
      # an explicit state dir: stop whatever mode it was created for
      if [ -f "$KAFKA_STATE_DIR/ports.env" ]; then
        # shellcheck disable=SC1091
        . "$KAFKA_STATE_DIR/ports.env"; select_mode "$SAVED_MODE"; stop_mode
      fi
    else
      select_mode single; stop_mode
      select_mode cluster; stop_mode
    fi
    ;;
  run-class)
    # kafka.sh run-class <class> [args...]: run a Kafka tool class from the cached jars, e.g.
    # org.apache.kafka.tools.TopicCommand, org.apache.kafka.tools.ProducerPerformance
    [ ${#RUN_ARGS[@]} -ge 1 ] || die "usage: kafka.sh run-class <class> [args...]"
    cmd_fetch; run_tool "${RUN_ARGS[@]}" ;;
  *) usage >&2; exit 2 ;;
esac
