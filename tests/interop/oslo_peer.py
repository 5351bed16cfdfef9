#!/usr/bin/python3
"""A real oslo.messaging peer for the interop tests.

Uses the public oslo.messaging notification API over its Kafka driver
(confluent-kafka / librdkafka), exactly as an OpenStack service would:

  send      oslo_messaging.Notifier(driver='messagingv2') -> N notifications
            (without --publisher-id: publisher_id None, as a service that
            gives none; --payload is Python JSON: NaN, big integers)
  listen    oslo_messaging.get_notification_listener(executor='threading')
  send-cli  oslo-messaging-send-notification's own code with the given
            arguments; prints the record value it hands the producer (the
            command exits without flushing librdkafka, so over a real broker
            its notification is lost)

Every line on stdout is one JSON object. Diagnostics go to stderr.
Run it with Debian's /usr/bin/python3 (python3-oslo.messaging).
"""

import argparse
import json
import sys
import threading
import time

from oslo_config import cfg
import oslo_messaging
from oslo_messaging._drivers import impl_kafka
from oslo_messaging.notify import notifier as oslo_notifier

PRIORITIES = ("audit", "debug", "info", "warn", "error", "critical",
              "sample")

# Notifications of this event type are the listener's own readiness probes;
# the endpoint swallows them.
PROBE_EVENT_TYPE = "oslo_peer.probe"

_out_lock = threading.Lock()


def emit(obj):
    with _out_lock:
        sys.stdout.write(json.dumps(obj, sort_keys=False) + "\n")
        sys.stdout.flush()


def log(msg):
    sys.stderr.write("oslo_peer: %s\n" % msg)
    sys.stderr.flush()


def make_conf(compression_codec):
    conf = cfg.ConfigOpts()
    conf(args=[], project="oslo_peer", default_config_files=[],
         default_config_dirs=[])
    if compression_codec:
        # The driver registers [oslo_messaging_kafka] when the transport is
        # made; register it here so the override can be set first.
        from oslo_messaging._drivers.kafka_driver import kafka_options
        group = cfg.OptGroup(name="oslo_messaging_kafka")
        conf.register_group(group)
        conf.register_opts(kafka_options.KAFKA_OPTS, group=group)
        conf.set_override("compression_codec", compression_codec,
                          group="oslo_messaging_kafka")
    return conf


def ensure_topics(url, topics):
    """Create the topics (oslo's consumer cannot subscribe to a missing
    topic until its next metadata refresh; oslo relies on auto-creation)."""
    from confluent_kafka.admin import AdminClient, NewTopic
    target = oslo_messaging.TransportURL.parse(cfg.ConfigOpts(), url)
    servers = ",".join("%s:%s" % (h.hostname, h.port or 9092)
                       for h in target.hosts)
    admin = AdminClient({"bootstrap.servers": servers})
    existing = set(admin.list_topics(timeout=10).topics)
    missing = [t for t in topics if t not in existing]
    if not missing:
        return
    futures = admin.create_topics(
        [NewTopic(t, num_partitions=1, replication_factor=1)
         for t in missing], operation_timeout=10)
    for topic, fut in futures.items():
        try:
            fut.result(timeout=15)
        except Exception as exc:  # already exists (raced) is fine
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise


# --------------------------------------------------------------------- send

def cmd_send(args):
    conf = make_conf(args.compression_codec)
    payload_template = json.loads(args.payload)
    ctxt = json.loads(args.context)

    # Record the exact record values oslo hands librdkafka (a pass-through
    # wrapper; the driver's behaviour is unchanged). That is how we learn
    # the message_id and timestamp oslo generated.
    produced = []
    original = impl_kafka.ProducerConnection._produce_message

    def recording(self, topic, message):
        produced.append((topic, message))
        return original(self, topic, message)

    impl_kafka.ProducerConnection._produce_message = recording

    transport = oslo_messaging.get_notification_transport(conf, url=args.url)
    notifier = oslo_messaging.Notifier(transport,
                                       publisher_id=args.publisher_id,
                                       driver="messagingv2",
                                       topics=[args.topic])
    method = getattr(notifier, args.priority)
    try:
        for i in range(args.count):
            payload = payload_template
            if args.index and isinstance(payload_template, dict):
                payload = dict(payload_template)
                payload["index"] = i
            before = len(produced)
            method(ctxt, args.event_type, payload)
            if len(produced) != before + 1:
                raise RuntimeError("oslo did not produce notification %d" % i)
            topic, raw = produced[-1]
            inner = json.loads(json.loads(raw)["oslo.message"])
            emit({
                "index": i,
                "priority": args.priority,
                "topic": topic,
                "publisher_id": args.publisher_id,
                "event_type": args.event_type,
                "payload": payload,
                "ctxt": ctxt,
                "sanitized_ctxt": oslo_notifier._sanitize_context(ctxt),
                "message_id": inner["message_id"],
                "timestamp": inner["timestamp"],
                "raw": raw.decode("utf-8"),
            })
    finally:
        # Driver cleanup flushes librdkafka: everything is delivered (or
        # has failed) before we exit.
        transport.cleanup()
    return 0


# ------------------------------------------------------------------- listen

def cmd_listen(args):
    conf = make_conf(None)
    priorities = [p.strip() for p in args.priorities.split(",") if p.strip()]
    for p in priorities:
        if p not in PRIORITIES:
            raise SystemExit("unknown priority %r" % p)

    ensure_topics(args.url, ["%s.%s" % (args.topic, p) for p in priorities])

    done = threading.Event()
    received = [0]
    probes_seen = set()

    def make_method(priority):
        def method(self, ctxt, publisher_id, event_type, payload, metadata):
            if event_type == PROBE_EVENT_TYPE:
                probes_seen.add(priority)
                return oslo_messaging.NotificationResult.HANDLED
            emit({"priority": priority, "ctxt": ctxt,
                  "publisher_id": publisher_id, "event_type": event_type,
                  "payload": payload, "metadata": metadata})
            received[0] += 1
            if received[0] >= args.count:
                done.set()
            return oslo_messaging.NotificationResult.HANDLED
        method.__name__ = priority
        return method

    Endpoint = type("Endpoint", (object,),
                    {p: make_method(p) for p in priorities})

    transport = oslo_messaging.get_notification_transport(conf, url=args.url)
    targets = [oslo_messaging.Target(topic=args.topic)]
    listener = oslo_messaging.get_notification_listener(
        transport, targets, [Endpoint()], executor="threading",
        pool=args.pool)
    deadline = time.monotonic() + args.timeout
    rc = 0
    try:
        listener.start()  # the Kafka driver polls 5 s inside start()
        if not probe_until_seen(transport, args, priorities, probes_seen,
                                deadline):
            log("the listener did not receive its probes in time")
            emit({"ready": False})
            return 3
        emit({"ready": True})
        if not done.wait(max(0.0, deadline - time.monotonic())):
            log("timeout: received %d of %d" % (received[0], args.count))
            rc = 2
    finally:
        emit({"done": True, "received": received[0]})
        try:
            listener.stop()
            listener.wait()
        finally:
            transport.cleanup()
    return rc


def probe_until_seen(transport, args, priorities, probes_seen, deadline):
    """Send probe notifications (event type PROBE_EVENT_TYPE) on every
    priority until the listener has received one on each.

    oslo's consumer starts at auto.offset.reset=latest, and librdkafka
    resolves that position asynchronously after the partitions are
    assigned: neither listener.start() returning nor on_assign means a
    record produced now will be seen. A probe that arrives does mean it,
    for every record produced after it."""
    notifier = oslo_messaging.Notifier(transport,
                                       publisher_id="oslo_peer.probe",
                                       driver="messagingv2",
                                       topics=[args.topic])
    while time.monotonic() < deadline:
        missing = [p for p in priorities if p not in probes_seen]
        if not missing:
            return True
        for p in missing:
            getattr(notifier, p)({}, PROBE_EVENT_TYPE, {"probe": True})
        wait_until = min(deadline, time.monotonic() + 0.5)
        while time.monotonic() < wait_until and not all(
                p in probes_seen for p in priorities):
            time.sleep(0.02)
    return all(p in probes_seen for p in priorities)


def cmd_send_cli(arguments):
    produced = []
    impl_kafka.ProducerConnection._ensure_producer = lambda self: None
    impl_kafka.ProducerConnection._produce_message = (
        lambda self, topic, message: produced.append((topic, message)))
    sys.argv = ["oslo-messaging-send-notification"] + list(arguments)
    oslo_notifier._send_notification()
    for topic, raw in produced:
        emit({"topic": topic, "raw": raw.decode("utf-8")})
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    send = sub.add_parser("send", help="send notifications with oslo")
    send.add_argument("--url", required=True)
    send.add_argument("--topic", required=True)
    send.add_argument("--publisher-id", default=None)
    send.add_argument("--count", type=int, default=1)
    send.add_argument("--priority", default="info",
                      choices=PRIORITIES + ("warning",))
    send.add_argument("--event-type", default="interop.test")
    send.add_argument("--payload", default="{}")
    send.add_argument("--context", default="{}")
    send.add_argument("--index", action="store_true",
                      help='add "index": i to a dict payload')
    send.add_argument("--compression-codec", default=None,
                      choices=("none", "gzip", "snappy", "lz4", "zstd"))

    lis = sub.add_parser("listen", help="run an oslo notification listener")
    lis.add_argument("--url", required=True)
    lis.add_argument("--topic", required=True)
    lis.add_argument("--pool", required=True)
    lis.add_argument("--count", type=int, default=1)
    lis.add_argument("--timeout", type=float, default=30.0)
    lis.add_argument("--priorities", default=",".join(PRIORITIES))

    sub.add_parser("send-cli", help="oslo-messaging-send-notification ARGS")

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["send-cli"]:
        return cmd_send_cli(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "send":
        return cmd_send(args)
    return cmd_listen(args)


if __name__ == "__main__":
    sys.exit(main())
