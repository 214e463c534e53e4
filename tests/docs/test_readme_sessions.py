"""Every shell session of the READMEs and docs pages (```console blocks: `$ ` commands and the
output shown under them) runs as a reader would run it and answers what the page shows.

One bash session per page, its commands in page order, in a fresh directory, against a sandbox
started as the page starts it (`ippanel-mock` with the page's flags, on a free port); `B=`, the
page's name for the sandbox's URL, gets that URL. Commands that install or start things are not
run here: `COVERED_ELSEWHERE` names each and the test that runs it. Any other command that is
not curl, printf, echo or a variable assignment (`NAME=$(curl ...)`) fails this test, so a new
block cannot escape it.

What a command printed is compared with what the page shows under it: JSON value by value (a
`...` in an object allows keys it does not show; the keys in `VARIES` are times, only their
type is compared), text line by line (`...` stands for lines not shown). A command shown
without output must exit 0 and not answer an error (an IPPanel envelope with `status: false`
or the admin API's `{"error": ...}`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ROOT / "README.md",
    ROOT / "mock_server" / "README.md",
    ROOT / "provider" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.S | re.M)
START = ("ippanel-mock", ".tools/bin/uv run ippanel-mock")
COVERED_ELSEWHERE = {
    "pip install": "tests/test_packaging.py: test_sandbox_readme_install_line_installs_it runs "
    "the sandbox README's line in a fresh venv; test_readme_install_lines_name_the_repository_"
    "paths checks every line's paths",
    "ippanel-mock": "this test starts it as the page says (on a free port); tests/test_packaging"
    ".py runs it from the installed wheel",
    ".tools/bin/uv run ippanel-mock": "as `ippanel-mock`, the same entry point in .venv",
    "make demo": "tests/e2e/test_demo.py runs scripts/demo.py, what the target runs",
    "make test": ".ci/run is `make test`",
    "make docs": "tests/docs/test_docs_site.py::test_site_builds_strict_with_every_page runs "
    "its `mkdocs build --strict`",
    "make docs-serve": "mkdocs serve of the same configuration; not run by a test",
    "make cluster-matrix": "`make test` runs the same command (its unit target)",
    "IPPANEL_CLUSTER_AIRFLOW=": "`make test` runs the scenario on these versions (unit target)",
    "IPPANEL_CELERY_WORKER_DEATH=1": "opt-in by design (the README says so); not in `make test`",
    "python3 scripts/compose_env.py": "tests/test_compose.py (the generated .env, kept .env)",
    "docker compose": "no Docker engine here: tests/test_compose.py and tests/test_dockerfiles.py "
    "validate the file and replay the images' steps",
    "airflow connections test": "tests/cluster/test_connection_form.py::"
    "test_airflow_connections_test_reaches_the_sandbox",
}
RUN_HERE = ("curl", "printf", "echo")
ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)=(.*)$", re.S)
VARIES = {"now", "iso", "created_at", "updated_at", "time", "at"}
"""Keys whose values are times: only their type is compared."""
ELIDED = "\u2026"
"""The key a `...` in a shown object becomes: that object may have keys it does not show."""


@dataclass
class Step:
    page: str
    line: int
    command: str
    shown: list[str] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return shlex.split(self.command, comments=True)

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}: $ {self.command.splitlines()[0]}"


def _complete(command: str) -> bool:
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command, comments=True)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return True


def steps_of(page: Path) -> list[Step]:
    text = page.read_text(encoding="utf-8")
    steps: list[Step] = []
    for block in CONSOLE.finditer(text):
        first_line = text.count("\n", 0, block.start(1)) + 1
        lines = block.group(1).splitlines()
        index, commands = 0, 0
        while index < len(lines):
            line = lines[index]
            index += 1
            if not line.startswith("$ "):
                if line.strip():
                    assert commands, f"{page}:{first_line + index - 1}: output before a command"
                    steps[-1].shown.append(line)
                continue
            commands += 1
            step = Step(str(page.relative_to(ROOT)), first_line + index - 1, line[2:])
            while not _complete(step.command) and index < len(lines):
                step.command += "\n" + lines[index]
                index += 1
            steps.append(step)
    return steps


def covered_elsewhere(step: Step) -> str | None:
    plain = " ".join(step.words)
    for prefix, where in COVERED_ELSEWHERE.items():
        if plain.startswith(prefix):
            return where
    return None


def classify(step: Step) -> str:
    """'skip' (covered elsewhere), 'run', or 'assign' (NAME=... : B= or a curl substitution)."""
    if covered_elsewhere(step):
        return "skip"
    assignment = ASSIGNMENT.match(step.command)
    if assignment:
        name, value = assignment.groups()
        if (name == "B" and len(step.words) == 1) or re.fullmatch(r"\$\(curl .*\)", value, re.S):
            return "assign"
    if step.words and step.words[0] in RUN_HERE:
        return "run"
    raise AssertionError(
        f"{step.where}\n  is not run by this test: make it a curl command, or add it to "
        "COVERED_ELSEWHERE with the test that runs it"
    )


def parse_shown_json(shown: list[str]) -> Any:
    text = "\n".join(shown)
    text = re.sub(r"\{\s*\.\.\.\s*,", '{"' + ELIDED + '":null,', text)
    text = re.sub(r",\s*\.\.\.(?=\s*[,}\]])", ',"' + ELIDED + '":null', text)
    return json.loads(text)


def json_differences(shown: Any, got: Any, path: str = "") -> list[str]:
    if isinstance(shown, dict):
        if not isinstance(got, dict):
            return [f"{path or '.'}: shown an object, got {got!r}"]
        keys = set(shown) - {ELIDED}
        problems = [f"{path}.{key}: shown, missing" for key in sorted(keys - set(got))]
        if ELIDED not in shown and set(got) - keys:
            problems.append(f"{path or '.'}: keys not shown: {sorted(set(got) - keys)}")
        for key in sorted(keys & set(got)):
            if key in VARIES:
                if type(shown[key]) is not type(got[key]):
                    problems.append(f"{path}.{key}: shown {shown[key]!r}, got {got[key]!r}")
            else:
                problems += json_differences(shown[key], got[key], f"{path}.{key}")
        return problems
    if isinstance(shown, list):
        if not isinstance(got, list) or len(got) != len(shown):
            return [f"{path}: shown {shown!r}, got {got!r}"]
        return [p for i, s in enumerate(shown) for p in json_differences(s, got[i], f"{path}[{i}]")]
    if shown != got or type(shown) is not type(got):
        return [f"{path}: shown {shown!r}, got {got!r}"]
    return []


def text_differences(shown: list[str], got: str) -> list[str]:
    lines = got.splitlines()
    wanted = [line for line in shown if line.strip() != "..."]
    if len(wanted) == len(shown):
        return [] if lines == wanted else [f"shown lines {wanted}, got {lines}"]
    position = 0
    for line in wanted:
        try:
            position = lines.index(line, position) + 1
        except ValueError:
            return [f"shown line {line!r} not printed (in order); got {lines}"]
    return []


def error_answer(output: str) -> bool:
    try:
        answer = json.loads(output)
    except ValueError:
        return False
    if not isinstance(answer, dict):
        return False
    meta = answer.get("meta")
    return "error" in answer or (isinstance(meta, dict) and meta.get("status") is False)


def differences(step: Step, output: str, code: int) -> list[str]:
    if code != 0:
        return [f"exit status {code}"]
    if not step.shown:
        return [f"an error answer: {output}"] if error_answer(output) else []
    if not output.strip():
        return ["printed nothing"]
    if step.shown[0].lstrip().startswith(("{", "[")):
        try:
            got = json.loads(output)
        except ValueError:
            return [f"shown JSON, got {output!r}"]
        return json_differences(parse_shown_json(step.shown), got)
    return text_differences(step.shown, output)


def is_start(step: Step) -> bool:
    return " ".join(step.words).startswith(START)


def start_flags(steps: list[Step]) -> tuple[Step, list[str]]:
    """The start command the page's session follows (the last one before it, or the page's
    last), and its flags with `--port 0`."""
    first_run = next((i for i, step in enumerate(steps) if classify(step) != "skip"), None)
    *_, start = [step for step in steps[:first_run] if is_start(step)]
    flags = start.words[start.words.index("ippanel-mock") + 1 :]
    if "--port" in flags:
        flags[flags.index("--port") + 1] = "0"
    return start, flags


@contextmanager
def sandbox_as_the_page_starts_it(steps: list[Step]) -> Iterator[str]:
    _, flags = start_flags(steps)
    command = [str(Path(sys.executable).parent / "ippanel-mock"), *flags]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline().rstrip("\n") for _ in range(2)]
        assert printed[0].startswith("IPPANEL_BASE_URL=http://"), f"{command} printed {printed}"
        for start in [step for step in steps if is_start(step) and step.shown]:
            shown = [re.sub(r":\d{4,5}$", r":\\d+", re.escape(line)) for line in start.shown]
            assert len(shown) == len(printed), f"{start.where}: printed {printed}"
            for line, pattern in zip(printed, shown, strict=True):  # all but the port
                assert re.fullmatch(pattern, line), f"{start.where}: printed {line!r}"
        yield printed[0].removeprefix("IPPANEL_BASE_URL=")
    finally:
        process.terminate()
        process.wait(timeout=20)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def session_script(steps: list[Step], url: str) -> str:
    lines = ["set -o pipefail"]
    for number, step in enumerate(steps):
        lines.append(f"printf '\\n\\036%d\\036\\n' {number}")
        command = step.command
        kind = classify(step)
        if kind == "assign" and command.startswith("B="):
            assert re.fullmatch(r"B=http://(127\.0\.0\.1|localhost):\d+", command), step.where
            command = f"B={shlex.quote(url)}"
        lines += [f"eval {shlex.quote(command)}", "__status=$?"]  # a syntax error ends the step
        if kind == "assign":  # its output: the value, to check it is there
            name = command.partition("=")[0]
            lines.append(f'printf "%s" "${name}"')
        lines.append(f"printf '\\n\\036%d %d\\036\\n' {number} $__status")
    return "\n".join(lines) + "\n"


def run_session(steps: list[Step], url: str, cwd: Path) -> dict[int, tuple[str, int]]:
    result = subprocess.run(
        ["bash", "--noprofile", "--norc"],
        input=session_script(steps, url),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LC_ALL": "C.UTF-8", "no_proxy": "127.0.0.1,localhost"},
    )
    outputs = {}
    for match in re.finditer(r"\n\036(\d+)\036\n(.*?)\n\036\1 (\d+)\036\n", result.stdout, re.S):
        outputs[int(match.group(1))] = (match.group(2), int(match.group(3)))
    assert outputs, result.stdout[-3000:] + result.stderr[-3000:]
    return outputs


def test_the_sessions_tools_are_installed() -> None:
    """curl 7.82+ (`--json`) and jq, as `make system` installs them."""
    version = subprocess.run(["curl", "--version"], capture_output=True, text=True, check=True)
    found = re.match(r"curl (\d+)\.(\d+)", version.stdout)
    assert found, version.stdout
    assert (int(found[1]), int(found[2])) >= (7, 82), version.stdout
    assert subprocess.run(["jq", "--version"], capture_output=True).returncode == 0


def pages_with_sessions() -> list[Path]:
    return [page for page in PAGES if CONSOLE.search(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(
    "page", pages_with_sessions(), ids=[str(p.relative_to(ROOT)) for p in pages_with_sessions()]
)
def test_shell_session_runs_as_written(page: Path, tmp_path: Path) -> None:
    steps = steps_of(page)
    kinds = [classify(step) for step in steps]
    session = [step for step, kind in zip(steps, kinds, strict=True) if kind != "skip"]
    if not session and not any(is_start(step) and step.shown for step in steps):
        return
    with sandbox_as_the_page_starts_it(steps) as url:  # checks what the page shows it print
        outputs = run_session(session, url, tmp_path) if session else {}
    problems = []
    for number, step in enumerate(session):
        if number not in outputs:
            problems.append(f"{step.where}\n    not reached: the session ended before it")
            continue
        output, code = outputs[number]
        if classify(step) == "assign":
            found = [] if code == 0 and output not in ("", "null") else [f"set to {output!r}"]
        else:
            found = differences(step, output, code)
        problems += [f"{step.where}\n    {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def test_every_session_page_is_found() -> None:
    """The pages known to hold sessions are read; the sandbox's sessions talk to a sandbox."""
    found = {str(p.relative_to(ROOT)) for p in pages_with_sessions()}
    assert {"README.md", "mock_server/README.md", "provider/README.md"} <= found
    run = [s for s in steps_of(ROOT / "mock_server" / "README.md") if classify(s) == "run"]
    assert len(run) >= 20


@pytest.mark.parametrize(
    "command", ["python3 scripts/seed.py", "rm -rf book.csv", "X=$(jq .id answer.json)"]
)
def test_a_command_the_test_does_not_know_fails_it(command: str) -> None:
    with pytest.raises(AssertionError, match="COVERED_ELSEWHERE"):
        classify(Step("README.md", 1, command))


def test_outputs_are_compared_value_by_value_but_for_times_and_elisions() -> None:
    shown = parse_shown_json(['{"now": 1.5, "offset": 5.0,', ' "meta": {"status": true, ...}}'])
    got = {"now": 7.25, "offset": 5.0, "meta": {"status": True, "message": "انجام شد"}}
    assert json_differences(shown, got) == []
    assert json_differences(shown, {**got, "offset": 7.0}) == [".offset: shown 5.0, got 7.0"]
    assert json_differences(shown, {**got, "now": "late"}) == [".now: shown 1.5, got 'late'"]
    assert json_differences(shown, {**got, "id": 1}) == [".: keys not shown: ['id']"]
    assert text_differences(["a", "...", "c"], "a\nb\nc\n") == []
    assert text_differences(["a", "c"], "a\nb\nc\n") != []
    assert differences(Step("README.md", 1, "curl x"), '{"error": "no such bulk"}', 0) != []
