#!/usr/bin/python3
"""Benchmark peer: the Python oslo.messaging Kafka driver (Debian's
python3-oslo.messaging over confluent-kafka/librdkafka), used exactly as
an OpenStack service uses it.

  send    Notifier(driver='messagingv2').info() x count, then transport.cleanup()
          (which flushes librdkafka: every notification acknowledged)
  listen  get_notification_listener(executor='threading') with an endpoint
          that only counts; timed from the first notification to the count-th

Argument: one JSON object {broker, topic, count, compression, mode, group}.
Prints one line `RESULT {json}` on stdout. Run with /usr/bin/python3.
"""
import json
import sys
import threading
import time

from oslo_config import cfg
import oslo_messaging

CTXT = {"request_id": "req-6f3c2b1a-8d4e-4f5a-9b7c-1e2d3c4b5a69",
        "user_id": "b7a8c9d0e1f2", "project_id": "a1b2c3d4e5f6"}
EVENT_TYPE = "compute.instance.update"


def payload_for(i):
    return {
        "instance_id": "%08x-4c1b-4a35-9d7e-%012x" % ((i * 2654435761) & 0xffffffff, i),
        "tenant_id": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "state": "active",
        "memory_mb": 2048,
        "vcpus": 2,
        "host": "compute-07.example.org",
        "image_ref": "3c5d7e9f-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
        "seq": i,
    }


def make_conf(compression):
    conf = cfg.ConfigOpts()
    conf(args=[], project="oslo_bench", default_config_files=[],
         default_config_dirs=[])
    if compression and compression != "none":
        from oslo_messaging._drivers.kafka_driver import kafka_options
        group = cfg.OptGroup(name="oslo_messaging_kafka")
        conf.register_group(group)
        conf.register_opts(kafka_options.KAFKA_OPTS, group=group)
        conf.set_override("compression_codec", compression,
                          group="oslo_messaging_kafka")
    return conf


def result(obj):
    sys.stdout.write("RESULT " + json.dumps(obj) + "\n")
    sys.stdout.flush()


def send(c):
    base = c["topic"][:-len(".info")]
    transport = oslo_messaging.get_notification_transport(
        make_conf(c["compression"]), url="kafka://%s" % c["broker"])
    notifier = oslo_messaging.Notifier(transport, publisher_id="bench.host1",
                                       driver="messagingv2", topics=[base])
    # Warm up: connect and deliver one notification before timing.
    notifier.info(CTXT, "bench.warmup", payload_for(0))
    transport._driver.pconn.producer.flush()
    t0 = time.monotonic()
    for i in range(c["count"]):
        notifier.info(CTXT, EVENT_TYPE, payload_for(i))
    transport._driver.pconn.producer.flush()
    seconds = time.monotonic() - t0
    transport.cleanup()
    result({"count": c["count"], "seconds": seconds,
            "rate": c["count"] / seconds})


def listen(c):
    base = c["topic"][:-len(".info")]
    count = c["count"]
    state = {"n": 0, "first": 0.0, "last": 0.0}
    done = threading.Event()

    class Endpoint(object):
        def info(self, ctxt, publisher_id, event_type, payload, metadata):
            if state["n"] == 0:
                state["first"] = time.monotonic()
            state["n"] += 1
            if state["n"] == count:
                state["last"] = time.monotonic()
                done.set()
            return oslo_messaging.NotificationResult.HANDLED

    conf = make_conf(None)
    from oslo_messaging._drivers.kafka_driver import kafka_options
    group = cfg.OptGroup(name="oslo_messaging_kafka")
    conf.register_group(group)
    conf.register_opts(kafka_options.KAFKA_OPTS, group=group)
    # Read the pre-filled topic from its start (oslo's default is latest).
    from oslo_messaging._drivers import impl_kafka
    transport = oslo_messaging.get_notification_transport(
        conf, url="kafka://%s" % c["broker"])
    # confluent_kafka.Consumer is created in declare_topic_consumer with
    # auto.offset.reset 'latest'; patch the config it gets to 'earliest'.
    import confluent_kafka
    real_consumer = confluent_kafka.Consumer

    def consumer(conf_dict, *a, **kw):
        conf_dict = dict(conf_dict)
        conf_dict["default.topic.config"] = {"auto.offset.reset": "earliest"}
        return real_consumer(conf_dict, *a, **kw)
    impl_kafka.confluent_kafka.Consumer = consumer
    t0 = time.monotonic()
    listener = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=base)], [Endpoint()],
        executor="threading", pool=c["group"])
    listener.start()
    done.wait(120)
    listener.stop()
    listener.wait()
    transport.cleanup()
    n = state["n"]
    seconds = (state["last"] or time.monotonic()) - state["first"]
    result({"count": n, "seconds": seconds, "rate": n / seconds,
            "joinSeconds": state["first"] - t0})


def main():
    c = json.loads(sys.argv[1])
    {"send": send, "listen": listen}[c["mode"]](c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
