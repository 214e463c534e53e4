"""`ippanel-mock` / `python -m ippanel_mock`: run the sandbox until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence

from ippanel_mock.config import MAX_BODY_BYTES, SandboxConfig
from ippanel_mock.http.ratelimit import RateLimiter
from ippanel_mock.models.users import UserError

DEFAULT_PORT = 8089
ADMIN_TOKEN_ENV = "IPPANEL_SANDBOX_ADMIN_TOKEN"
LOOPS = ("auto", "asyncio", "uvloop")
FULL_GC_THRESHOLD = 100
"""Middle-generation collections between full ones (CPython's default is 10)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ippanel-mock",
        description="A stateful IPPanel Edge API sandbox with an admin API, chaos and a clock.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port; 0 picks a free one (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for ids, history and chaos")
    parser.add_argument("--users", metavar="FILE", help="JSON file of extra user accounts")
    parser.add_argument(
        "--delivery-delay",
        type=float,
        default=2.0,
        metavar="S",
        help="seconds from send to final delivery status (default %(default)s)",
    )
    parser.add_argument(
        "--history", type=int, default=0, metavar="N", help="pre-fill N outbox bulks"
    )
    parser.add_argument(
        "--admin-token",
        metavar="T",
        default=os.environ.get(ADMIN_TOKEN_ENV),
        help=f"require X-Sandbox-Admin-Token on /__sandbox routes (default: ${ADMIN_TOKEN_ENV}, "
        "which keeps the token off the process's command line)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        metavar="R",
        help="requests per second per API key (default off)",
    )
    parser.add_argument(
        "--rate-burst",
        type=int,
        default=20,
        metavar="B",
        help="token bucket size (default %(default)s)",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=MAX_BODY_BYTES,
        metavar="BYTES",
        help="largest request body accepted (default %(default)s)",
    )
    defaults = SandboxConfig()
    parser.add_argument(
        "--max-messages",
        type=int,
        default=defaults.message_capacity,
        metavar="N",
        help="captured messages kept, oldest dropped (default %(default)s)",
    )
    parser.add_argument(
        "--max-journal",
        type=int,
        default=defaults.journal_capacity,
        metavar="N",
        help="journaled requests kept, oldest dropped (default %(default)s)",
    )
    parser.add_argument(
        "--max-inbox",
        type=int,
        default=defaults.inbox_capacity,
        metavar="N",
        help="received messages kept, oldest dropped (default %(default)s)",
    )
    parser.add_argument(
        "--max-outbox-recipients",
        type=int,
        default=defaults.outbox_max_recipients,
        metavar="N",
        help="recipient rows kept over all bulks, oldest bulks evicted (default %(default)s)",
    )
    parser.add_argument(
        "--max-outbox-bulks",
        type=int,
        default=defaults.outbox_max_bulks,
        metavar="N",
        help="bulks kept, oldest evicted (default %(default)s)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=defaults.header_timeout,
        metavar="S",
        help="seconds to send a request's head (from its first byte), and then its body; "
        "slower clients are dropped (default %(default)s)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=defaults.idle_timeout,
        metavar="S",
        help="seconds a connection may stay open without a request (default %(default)s)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=defaults.max_connections,
        metavar="N",
        help="open connections at most; past it the oldest idle one is closed "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--loop",
        choices=LOOPS,
        default="asyncio",
        help="event loop: asyncio's own, uvloop (must be installed), or uvloop when installed "
        "(auto) (default %(default)s)",
    )
    parser.add_argument(
        "--sample-phonebook",
        type=int,
        default=0,
        metavar="N",
        help="start user sandbox with a seeded phonebook of N numbers (faker fa_IR)",
    )
    parser.add_argument(
        "--max-phonebook-size",
        type=int,
        default=defaults.phonebook_max_size,
        metavar="N",
        help="numbers a phonebook may hold, more refused (default %(default)s)",
    )
    parser.add_argument(
        "--max-phonebook-numbers",
        type=int,
        default=defaults.phonebook_max_numbers,
        metavar="N",
        help="numbers all phonebooks may hold together, more refused (default %(default)s)",
    )
    parser.add_argument(
        "--pattern-review-delay",
        type=float,
        default=defaults.pattern_review_delay,
        metavar="S",
        help="seconds a user's new or changed pattern stays pending (default %(default)s)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        seed=args.seed,
        delivery_delay=args.delivery_delay,
        history=args.history,
        users_file=args.users,
        admin_token=args.admin_token,
        max_body_bytes=args.max_body,
        message_capacity=args.max_messages,
        journal_capacity=args.max_journal,
        inbox_capacity=args.max_inbox,
        outbox_max_recipients=args.max_outbox_recipients,
        outbox_max_bulks=args.max_outbox_bulks,
        sample_phonebook=args.sample_phonebook,
        phonebook_max_size=args.max_phonebook_size,
        phonebook_max_numbers=args.max_phonebook_numbers,
        pattern_review_delay=args.pattern_review_delay,
        rate_limit=args.rate_limit,
        rate_burst=args.rate_burst,
        access_log=args.access_log,
        header_timeout=args.header_timeout,
        idle_timeout=args.idle_timeout,
        max_connections=args.max_connections,
    )


async def serve(config: SandboxConfig, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM; print the base URL and the default API key once listening."""
    from ippanel_mock.server import SandboxServer

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with SandboxServer(config, host, port) as sandbox:
            # Startup objects (modules, schemas, faker data) live for the whole process: keep them
            # out of every later collection so a full GC under load stays short.
            gc.freeze()
            # Each stored bulk stays tracked, so a full collection grows with the outbox (tens of
            # ms at 100,000 bulks) and stalls every in-flight request. Young collections keep
            # their defaults; full ones wait for 100 middle-generation passes instead of 10.
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, FULL_GC_THRESHOLD)
            print(f"IPPANEL_BASE_URL={sandbox.url}", flush=True)
            print(f"IPPANEL_API_KEY={default_api_key(sandbox.backend)}", flush=True)
            await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def event_loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop for "uvloop" (ImportError if missing) and for "auto" when installed; None
    (asyncio's default loop) otherwise."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def default_api_key(backend: object) -> str:
    from ippanel_mock.models.backend import SandboxBackend

    assert isinstance(backend, SandboxBackend)
    user = backend.users.get("sandbox")
    users = [user] if user is not None else backend.users.all()
    keys = [k for u in users for k in u.api_keys]
    return keys[0] if keys else ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")
    try:
        config = config_from_args(args)
        RateLimiter(config.rate_limit, config.rate_burst)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(
        level=logging.INFO if config.access_log else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        loop_factory = event_loop_factory(args.loop)
    except ImportError:
        parser.error("--loop uvloop needs the uvloop package (pip install uvloop)")
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(serve(config, args.host, args.port))
    except UserError as exc:
        print(f"ippanel-mock: bad users file: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"ippanel-mock: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0
