#!/usr/bin/python3
"""autobahn-python clients running the classic retry loop against a Crossbar proxy transport.

The loop written in countless Crossbar applications: connect with ApplicationRunner; when the
router ABORTs (e.g. wamp.error.no_such_realm while the proxy routes are still missing) or the
connection drops, wait a moment and try again. Each joined client calls PROCEDURE(2, 3), prints
the result and leaves.

Runs N such clients concurrently in one asyncio loop and prints one JSON line per event on stdout:
  {"client": i, "event": "connect", "attempt": k}
  {"client": i, "event": "abort", "reason": "wamp.error.no_such_realm", "message": "..."}
  {"client": i, "event": "joined", "attempt": k, "worker": "cpw-..."}
  {"client": i, "event": "call", "result": 5}
  {"client": i, "event": "gave_up", "attempts": k}
  {"event": "done"}

Needs Debian's python3-autobahn (run with /usr/bin/python3).
"""
import argparse
import asyncio
import json
import sys

import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession  # noqa: E402
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer  # noqa: E402


def emit(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def make_session_class(index, procedure, attempt_state):
    class Client(ApplicationSession):
        async def onJoin(self, details):
            attempt_state["joined"] = True
            authextra = details.authextra or {}
            emit(client=index, event="joined", attempt=attempt_state["attempt"],
                 worker=authextra.get("x_cb_proxy_worker"))
            try:
                result = await self.call(procedure, 2, 3)
                emit(client=index, event="call", result=result)
            except Exception as err:  # the test asserts on the missing "call" line
                emit(client=index, event="call_error", error=str(err))
            self.leave()

        def onLeave(self, details):
            if not attempt_state["joined"]:
                emit(client=index, event="abort", reason=details.reason, message=details.message)
            self.disconnect()

        def onDisconnect(self):
            done = attempt_state["done"]
            if not done.done():
                done.set_result(None)

    return Client


async def run_client(index, args):
    for attempt in range(1, args.max_attempts + 1):
        state = {"attempt": attempt, "joined": False, "done": asyncio.get_running_loop().create_future()}
        emit(client=index, event="connect", attempt=attempt)
        serializers = [MsgPackSerializer()] if args.serializer == "msgpack" else [JsonSerializer()]
        runner = ApplicationRunner(args.url, args.realm, serializers=serializers)
        try:
            transport, _protocol = await runner.run(
                make_session_class(index, args.procedure, state), start_loop=False)
            await asyncio.wait_for(state["done"], timeout=args.attempt_timeout)
        except asyncio.TimeoutError:
            emit(client=index, event="timeout", attempt=attempt)
            transport.close()
        except OSError as err:
            emit(client=index, event="connect_error", error=str(err))
        if state["joined"]:
            return
        await asyncio.sleep(args.retry_delay)  # the classic loop: wait, then try again
    emit(client=index, event="gave_up", attempts=args.max_attempts)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--realm", default="realm1")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--procedure", default="com.example.add2")
    parser.add_argument("--serializer", choices=["json", "msgpack"], default="json")
    parser.add_argument("--retry-delay", type=float, default=0.25)
    parser.add_argument("--max-attempts", type=int, default=80)
    parser.add_argument("--attempt-timeout", type=float, default=30.0)
    args = parser.parse_args()
    await asyncio.gather(*(run_client(i, args) for i in range(args.clients)))
    emit(event="done")


if __name__ == "__main__":
    asyncio.run(main())
