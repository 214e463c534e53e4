"""Write the ``.env`` that docker-compose.yml reads: ``.env.example`` with your user id and a
fresh value for each secret (a Fernet key, the admin password, the sandbox's admin token).

    python3 scripts/compose_env.py            # writes .env next to docker-compose.yml
    python3 scripts/compose_env.py --force    # replaces an existing .env (new secrets!)

Standard library only, so it runs before any environment is built. Prints no secret: read them
in the file (mode 600).
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def fernet_key() -> str:
    """What ``cryptography.fernet.Fernet.generate_key()`` returns: 32 random bytes, base64url."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


GENERATED: dict[str, Callable[[], str]] = {
    "AIRFLOW_UID": lambda: str(os.getuid()),
    "AIRFLOW__CORE__FERNET_KEY": fernet_key,
    "_AIRFLOW_WWW_USER_PASSWORD": lambda: secrets.token_urlsafe(18),
    "IPPANEL_SANDBOX_ADMIN_TOKEN": lambda: secrets.token_urlsafe(24),
}


def render(template: str) -> tuple[str, list[str]]:
    """The template with the generated values filled in, and the names that were filled."""
    lines, filled = [], []
    for line in template.splitlines():
        name, equals, value = line.partition("=")
        if equals and not line.lstrip().startswith("#") and name in GENERATED:
            if name == "AIRFLOW_UID" or not value:
                line = f"{name}={GENERATED[name]()}"
                filled.append(name)
        elif equals and not line.lstrip().startswith("#") and not value:
            raise ValueError(f"{name} is empty in the template and not generated")
        lines.append(line)
    missing = set(GENERATED) - set(filled)
    if missing:
        raise ValueError(f"the template lacks {sorted(missing)}")
    return "\n".join(lines) + "\n", filled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, default=REPO_ROOT / ".env.example")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / ".env")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.output.exists() and not args.force:
        print(f"{args.output} exists; keeping it (--force replaces it)", file=sys.stderr)
        return 1
    text, filled = render(args.template.read_text(encoding="utf-8"))
    descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(args.output, 0o600)
    print(f"wrote {args.output} (generated: {', '.join(filled)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
