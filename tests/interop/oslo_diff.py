#!/usr/bin/python3
"""The oslo.messaging side of the differential suite (no broker).

Reads {"cases": [...]} as JSON on stdin, answers {"results": [...]} on
stdout, one result per case, in order. Every answer comes from oslo's own
code, as an OpenStack service runs it:

  envelope  oslo_messaging.Notifier(driver='messagingv2') over the Kafka
            driver, with the producer call captured (nothing connects) and
            uuid4/utcnow fixed to the case's message_id and timestamp;
            also reads the case's "ours" bytes with the driver's
            unpack_message and says whether oslo reads the same message.
  url       TransportURL.parse plus the Kafka driver's option proxy and
            connection parsing (hosts, credentials, vhost, query options).
  config    oslo.config reading the files with oslo.messaging's notifier,
            transport and Kafka options registered.
  filter    oslo_messaging.NotificationFilter(...).match(...).

Payloads and contexts arrive as Python JSON text, so NaN and big integers
mean what Python means by them. Run with Debian's /usr/bin/python3.
"""

import datetime
import json
import os
import sys
import tempfile
import types

from oslo_config import cfg
import oslo_messaging
from oslo_messaging._drivers import impl_kafka
from oslo_messaging._drivers.kafka_driver import kafka_options
from oslo_messaging.notify import filter as notify_filter
from oslo_messaging.notify import notifier as notify_notifier
from oslo_messaging import transport as msg_transport

captured = []
fixed = {"message_id": None, "now": None}

# Capture what the driver would hand librdkafka; never connect.
impl_kafka.ProducerConnection._ensure_producer = lambda self: None
impl_kafka.ProducerConnection._produce_message = (
    lambda self, topic, message: captured.append((topic, message)))
notify_notifier.uuid = types.SimpleNamespace(
    uuid4=lambda: fixed["message_id"])
notify_notifier.timeutils = types.SimpleNamespace(utcnow=lambda: fixed["now"])


def error_text(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def canonical(value):
    """Python JSON of a decoded message, for comparing two decodings."""
    return json.dumps(value, sort_keys=True)


_transport = None


def transport():
    global _transport
    if _transport is None:
        conf = cfg.ConfigOpts()
        conf(args=[], project="oslo_diff", default_config_files=[],
             default_config_dirs=[])
        _transport = oslo_messaging.get_notification_transport(
            conf, url="kafka://localhost:9092")
    return _transport


def envelope(case):
    fixed["message_id"] = case["message_id"]
    fixed["now"] = datetime.datetime.strptime(case["timestamp"],
                                              "%Y-%m-%d %H:%M:%S.%f")
    notifier = oslo_messaging.Notifier(transport(),
                                       publisher_id=case["publisher_id"],
                                       driver="messagingv2",
                                       topics=["notifications"])
    payload = json.loads(case["payload"])
    ctxt = json.loads(case["ctxt"])
    del captured[:]
    getattr(notifier, case["priority"])(ctxt, case["event_type"], payload)
    if len(captured) != 1:
        raise RuntimeError("oslo produced %d records" % len(captured))
    topic, raw = captured[0]
    theirs = impl_kafka.unpack_message(raw)
    try:
        ours = impl_kafka.unpack_message(case["ours"].encode("utf-8"))
        ours_same = canonical(ours) == canonical(theirs)
    except Exception as exc:  # our bytes unreadable by oslo
        ours_same = error_text(exc)
    return {"ok": True, "topic": topic, "value": raw.decode("utf-8"),
            "ours_read_same": ours_same}


def url(case):
    conf = cfg.ConfigOpts()
    conf(args=[], project="oslo_diff", default_config_files=[],
         default_config_dirs=[])
    try:
        target = oslo_messaging.TransportURL.parse(conf, case["url"])
        proxy = kafka_options.register_opts(conf, target)
        connection = impl_kafka.Connection(proxy, target)
        group = proxy.oslo_messaging_kafka
        options = {name: getattr(group, name) for name in target.query}
    except Exception as exc:
        return {"ok": False, "error": error_text(exc)}
    return {"ok": True, "hosts": connection.hostaddrs,
            "username": connection.username,
            "password": connection.password,
            "virtual_host": target.virtual_host, "options": options}


def config(case):
    conf = cfg.ConfigOpts()
    conf.register_opts(notify_notifier._notifier_opts,
                       group="oslo_messaging_notifications")
    conf.register_opts(msg_transport._transport_opts)
    # Options a service registers in [DEFAULT], for substitution tests.
    conf.register_opts([cfg.StrOpt("my_ip"), cfg.StrOpt("host")])
    group = cfg.OptGroup(name="oslo_messaging_kafka")
    conf.register_group(group)
    conf.register_opts(kafka_options.KAFKA_OPTS, group=group)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index, text in enumerate(case["files"]):
            path = os.path.join(tmp, "f%d.conf" % index)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(path)
        try:
            conf(args=[], project="oslo_diff", default_config_files=paths,
                 default_config_dirs=[])
            notifications = conf.oslo_messaging_notifications
            kafka = {opt.name: conf.oslo_messaging_kafka[opt.name]
                     for opt in kafka_options.KAFKA_OPTS}
            return {"ok": True,
                    "transport_url": (notifications.transport_url
                                      or conf.transport_url),
                    "topics": notifications.topics,
                    "driver": notifications.driver,
                    "kafka": kafka}
        except Exception as exc:
            return {"ok": False, "error": error_text(exc)}


def filter_match(case):
    rule = case["rule"]
    try:
        screen = notify_filter.NotificationFilter(**rule)
    except Exception as exc:
        return {"ok": False, "error": error_text(exc)}
    results = []
    for text in case["notifications"]:
        n = json.loads(text)
        results.append(screen.match(n["ctxt"], n["publisher_id"],
                                    n["event_type"], n["metadata"],
                                    n["payload"]))
    return {"ok": True, "results": results}


KINDS = {"envelope": envelope, "url": url, "config": config,
         "filter": filter_match}


def main():
    cases = json.load(sys.stdin)["cases"]
    results = []
    for case in cases:
        try:
            results.append(KINDS[case["kind"]](case))
        except Exception as exc:
            results.append({"ok": False, "error": error_text(exc)})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
