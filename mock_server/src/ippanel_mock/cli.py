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
from dataclasses import dataclass

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.ratelimit import RateLimiter
from ippanel_mock.models.users import UserError

DEFAULT_PORT = 8089
ADMIN_TOKEN_ENV = "IPPANEL_SANDBOX_ADMIN_TOKEN"
LOOPS = ("auto", "asyncio", "uvloop")
FULL_GC_THRESHOLD = 100
"""Middle-generation collections between full ones (CPython's default is 10)."""


@dataclass(frozen=True)
class ConfigOption:
    """A command-line option that sets one `SandboxConfig` field, defaulting to that field's."""

    flag: str
    field: str
    type: type
    metavar: str
    help: str


CONFIG_OPTIONS = (
    ConfigOption("--seed", "seed", int, "N", "seed for ids, history and chaos"),
    ConfigOption(
        "--delivery-delay",
        "delivery_delay",
        float,
        "S",
        "seconds from send to final delivery status (default %(default)s)",
    ),
    ConfigOption("--history", "history", int, "N", "pre-fill N outbox bulks"),
    ConfigOption(
        "--rate-limit", "rate_limit", float, "R", "requests per second per API key (default off)"
    ),
    ConfigOption("--rate-burst", "rate_burst", int, "B", "token bucket size (default %(default)s)"),
    ConfigOption(
        "--max-body",
        "max_body_bytes",
        int,
        "BYTES",
        "largest request body accepted (default %(default)s)",
    ),
    ConfigOption(
        "--max-messages",
        "message_capacity",
        int,
        "N",
        "captured messages kept, oldest dropped (default %(default)s)",
    ),
    ConfigOption(
        "--max-journal",
        "journal_capacity",
        int,
        "N",
        "journaled requests kept, oldest dropped (default %(default)s)",
    ),
    ConfigOption(
        "--max-inbox",
        "inbox_capacity",
        int,
        "N",
        "received messages kept, oldest dropped (default %(default)s)",
    ),
    ConfigOption(
        "--max-outbox-recipients",
        "outbox_max_recipients",
        int,
        "N",
        "recipient rows kept over all bulks, oldest bulks evicted (default %(default)s)",
    ),
    ConfigOption(
        "--max-outbox-bulks",
        "outbox_max_bulks",
        int,
        "N",
        "bulks kept, oldest evicted (default %(default)s)",
    ),
    ConfigOption(
        "--header-timeout",
        "header_timeout",
        float,
        "S",
        "seconds to send a request's head (from its first byte), and then its body; "
        "slower clients are dropped (default %(default)s)",
    ),
    ConfigOption(
        "--idle-timeout",
        "idle_timeout",
        float,
        "S",
        "seconds a connection may stay open without a request (default %(default)s)",
    ),
    ConfigOption(
        "--max-connections",
        "max_connections",
        int,
        "N",
        "open connections at most; past it the oldest idle one is closed (default %(default)s)",
    ),
    ConfigOption(
        "--sample-phonebook",
        "sample_phonebook",
        int,
        "N",
        "start user sandbox with a seeded phonebook of N numbers (faker fa_IR)",
    ),
    ConfigOption(
        "--max-phonebook-size",
        "phonebook_max_size",
        int,
        "N",
        "numbers a phonebook may hold, more refused (default %(default)s)",
    ),
    ConfigOption(
        "--max-phonebook-numbers",
        "phonebook_max_numbers",
        int,
        "N",
        "numbers all phonebooks may hold together, more refused (default %(default)s)",
    ),
    ConfigOption(
        "--pattern-review-delay",
        "pattern_review_delay",
        float,
        "S",
        "seconds a user's new or changed pattern stays pending (default %(default)s)",
    ),
)


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
    parser.add_argument(
        "--users", dest="users_file", metavar="FILE", help="JSON file of extra user accounts"
    )
    parser.add_argument(
        "--admin-token",
        metavar="T",
        default=os.environ.get(ADMIN_TOKEN_ENV),
        help=f"require X-Sandbox-Admin-Token on /__sandbox routes (default: ${ADMIN_TOKEN_ENV}, "
        "which keeps the token off the process's command line)",
    )
    defaults = SandboxConfig()
    for option in CONFIG_OPTIONS:
        parser.add_argument(
            option.flag,
            dest=option.field,
            type=option.type,
            default=getattr(defaults, option.field),
            metavar=option.metavar,
            help=option.help,
        )
    parser.add_argument(
        "--loop",
        choices=LOOPS,
        default="asyncio",
        help="event loop: asyncio's own, uvloop (must be installed), or uvloop when installed "
        "(auto) (default %(default)s)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    fields = [option.field for option in CONFIG_OPTIONS]
    fields += ["users_file", "admin_token", "access_log"]
    return SandboxConfig(**{name: getattr(args, name) for name in fields})


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
