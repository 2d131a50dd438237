#!/usr/bin/python3
"""One autobahn-python client over RawSocket (Twisted), as backend components connect to Crossbar.

Debian's autobahn-python 22.7.1 asyncio RawSocket client fails after WELCOME (crossbar-facts §10);
the Twisted one (autobahn.twisted.rawsocket.WampRawSocketClientFactory) works, so this uses it.

Joins REALM once (no retry), then: registers com.example.add2, calls it (2, 3), subscribes
com.example.topic, publishes to it (exclude_me=False) and waits for the event, then leaves.
Prints one JSON line per event on stdout:
  {"event": "joined", "worker": "cpw-..."}
  {"event": "call", "result": 5}
  {"event": "event", "args": ["hi", 1]}
  {"event": "abort", "reason": "wamp.error.no_such_realm", "message": "..."}
  {"event": "connect_error" | "timeout", ...}
  {"event": "disconnected"}
Needs Debian's python3-autobahn and python3-twisted (run with /usr/bin/python3).
"""
import argparse
import json
import sys

import txaio

txaio.use_twisted()

from twisted.internet import defer, reactor  # noqa: E402
from twisted.internet.endpoints import TCP4ClientEndpoint  # noqa: E402
from autobahn.twisted.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.twisted.wamp import ApplicationSession  # noqa: E402
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer  # noqa: E402
from autobahn.wamp.types import ComponentConfig, PublishOptions  # noqa: E402


def emit(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


state = {"joined": False}


class Client(ApplicationSession):
    @defer.inlineCallbacks
    def onJoin(self, details):
        state["joined"] = True
        emit(event="joined", worker=(details.authextra or {}).get("x_cb_proxy_worker"))
        yield self.register(lambda a, b: a + b, "com.example.add2")
        result = yield self.call("com.example.add2", 2, 3)
        emit(event="call", result=result)
        got = defer.Deferred()

        def on_event(*args):
            if not got.called:
                got.callback(list(args))

        yield self.subscribe(on_event, "com.example.topic")
        yield self.publish("com.example.topic", "hi", 1, options=PublishOptions(acknowledge=True, exclude_me=False))
        args = yield got
        emit(event="event", args=args)
        self.leave()

    def onLeave(self, details):
        if not state["joined"]:
            emit(event="abort", reason=details.reason, message=details.message)
        self.disconnect()

    def onDisconnect(self):
        emit(event="disconnected")
        if reactor.running:
            reactor.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--realm", required=True)
    p.add_argument("--serializer", choices=["json", "msgpack", "cbor"], default="json")
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()
    serializer = {"msgpack": MsgPackSerializer, "cbor": CBORSerializer}.get(args.serializer, JsonSerializer)()
    factory = WampRawSocketClientFactory(lambda: Client(ComponentConfig(args.realm)), serializer=serializer)
    d = TCP4ClientEndpoint(reactor, args.host, args.port).connect(factory)

    def failed(f):
        emit(event="connect_error", error=str(f.value))
        reactor.stop()

    d.addErrback(failed)

    def timeout():
        emit(event="timeout")
        reactor.stop()

    reactor.callLater(args.timeout, timeout)
    reactor.run()


if __name__ == "__main__":
    main()
