"""The reference server: a bare aiohttp app answering small JSON, so the sandbox has a baseline.

Run as its own process; prints `BARE_URL=http://127.0.0.1:PORT` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from aiohttp import web

PAYLOAD = {"data": {"message_outbox_ids": [1]}, "meta": {"status": True, "message": "ok"}}


async def send(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response(PAYLOAD)


async def report(request: web.Request) -> web.Response:
    return web.json_response(PAYLOAD)


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/api/send", send)
    app.router.add_get("/api/report/recipients", report)
    return app


async def serve(host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(create_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    print(f"BARE_URL=http://{host}:{bound}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    factory = None
    if args.loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
