"""The distributions as a user gets them: `uv build` wheels and sdists with complete metadata
(`twine check --strict`), installed into fresh virtual environments: the sandbox alone pulls in
no Airflow and its CLI serves the API and the web UI; the provider registers with Airflow and
imports. The READMEs' install lines install what they say, from the paths they name.

Installs reuse uv's cache (hard links, pinned by uv.lock through a constraints file), so each
environment takes seconds; `--offline` first, the package registry only if the cache lacks an
index page.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = str(ROOT / ".tools" / "bin" / "uv")
DISTRIBUTIONS = {
    "airflow_provider_ippanel": ROOT / "provider" / "src" / "ippanel_provider" / "__init__.py",
    "ippanel_mock_server": ROOT / "mock_server" / "src" / "ippanel_mock" / "__init__.py",
}
UI_STATIC = ROOT / "mock_server" / "src" / "ippanel_mock" / "ui" / "static"
PIP_INSTALL = re.compile(r"^\$ pip install (\S+(?: \./\S+)*)", re.M)


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{args}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


def source_version(init: Path) -> str:
    match = re.search(r'^__version__ = "([^"]+)"$', init.read_text(), re.M)
    assert match, f"no __version__ in {init}"
    return match.group(1)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(UV, "build", "--all-packages", "--offline", "--out-dir", out)
    return out


@pytest.fixture(scope="module")
def constraints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """uv.lock's pins, so a fresh environment gets what `make test` tested, from the cache."""
    path = tmp_path_factory.mktemp("pins") / "constraints.txt"
    run(
        UV,
        "export",
        "--frozen",
        "--no-hashes",
        "--all-packages",
        "--no-emit-workspace",
        "--no-dev",
        "--quiet",
        "-o",
        path,
    )
    return path


def fresh_venv(where: Path) -> Path:
    run(UV, "venv", "--quiet", "--python", sys.executable, where)
    return where / "bin"


def install(bin_dir: Path, constraints: Path, *requirements: str | Path) -> None:
    command = [
        UV,
        "pip",
        "install",
        "--quiet",
        "--python",
        bin_dir / "python",
        "-c",
        constraints,
        *requirements,
    ]
    offline = subprocess.run(
        [str(c) for c in [*command, "--offline"]], cwd=ROOT, capture_output=True, text=True
    )
    if offline.returncode != 0:  # an index page not in the cache yet: ask the registry once
        run(*command)


def installed(bin_dir: Path) -> set[str]:
    listing = run(UV, "pip", "list", "--python", bin_dir / "python", "--format", "freeze")
    return {line.split("==")[0].lower() for line in listing.stdout.split()}


def test_wheels_and_sdists_have_complete_metadata(dist: Path) -> None:
    files = sorted(p for p in dist.iterdir() if p.suffix in (".whl", ".gz"))
    assert len(files) == 4, files
    run(sys.executable, "-m", "twine", "check", "--strict", *files)
    for name, init in DISTRIBUTIONS.items():
        version = source_version(init)
        [wheel] = dist.glob(f"{name}-{version}-py3-none-any.whl")
        with zipfile.ZipFile(wheel) as archive:
            metadata = Parser().parsestr(
                archive.read(f"{name}-{version}.dist-info/METADATA").decode()
            )
            assert f"{name}-{version}.dist-info/licenses/LICENSE" in archive.namelist()
        assert metadata["Version"] == version
        assert metadata["License-Expression"] == "Apache-2.0"
        assert metadata["Description-Content-Type"] == "text/markdown"
        assert metadata["Requires-Python"] == ">=3.11"
        assert len(metadata.get_all("Classifier") or []) >= 8
        assert metadata.get_all("Project-URL")
        assert metadata.get_payload().startswith("# ")  # the README is the long description
        with tarfile.open(dist / f"{name}-{version}.tar.gz") as sdist:
            names = {Path(n).name for n in sdist.getnames()}
        assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml"} <= names


def assert_web_ui_served(url: str) -> None:
    """The web UI's page at / and every asset it loads (the page's links and app.js's module
    imports) are served byte for byte as in the repository: the UI ships inside the wheel."""
    with urllib.request.urlopen(f"{url}/", timeout=10) as answer:
        assert answer.headers.get_content_type() == "text/html"
        page = answer.read()
    assert page == (UI_STATIC / "index.html").read_bytes()
    assets = set(re.findall(r'"/__sandbox/ui/assets/([\w.-]+)"', page.decode()))
    app = (UI_STATIC / "app.js").read_text(encoding="utf-8")
    assets |= set(re.findall(r'^import .* from "\./([\w.-]+)";$', app, re.M))
    assert {"app.css", "app.js", "icon.svg", "api.js", "inbox.js"} <= assets, assets
    for asset in sorted(assets):
        with urllib.request.urlopen(f"{url}/__sandbox/ui/assets/{asset}", timeout=10) as answer:
            assert answer.read() == (UI_STATIC / asset).read_bytes(), asset


def test_sandbox_wheel_alone_brings_no_airflow_and_its_cli_serves(
    dist: Path, constraints: Path, tmp_path: Path
) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    [wheel] = dist.glob("ippanel_mock_server-*.whl")
    install(bin_dir, constraints, wheel)
    packages = installed(bin_dir)
    assert "ippanel-mock-server" in packages
    assert not {p for p in packages if "airflow" in p}, packages
    assert "usage: ippanel-mock" in run(bin_dir / "ippanel-mock", "--help").stdout
    process = subprocess.Popen(
        [bin_dir / "ippanel-mock", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix("IPPANEL_BASE_URL=")
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as answer:
            assert answer.status == 200
        assert_web_ui_served(url)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0
        assert "Traceback" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_provider_wheel_registers_with_airflow(
    dist: Path, constraints: Path, tmp_path: Path
) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    install(bin_dir, constraints, *sorted(dist.glob("*.whl")))
    version = source_version(DISTRIBUTIONS["airflow_provider_ippanel"])
    check = f"""
import importlib.metadata, ippanel_provider
from airflow.providers_manager import ProvidersManager
[entry] = [e for e in importlib.metadata.entry_points(group="apache_airflow_provider")
           if e.dist.name == "airflow-provider-ippanel"]
info = entry.load()()
assert info["package-name"] == "airflow-provider-ippanel" and info["versions"] == ["{version}"]
provider = ProvidersManager().providers["airflow-provider-ippanel"]
assert provider.version == "{version}", provider.version
from ippanel_provider.operators.send import IPPanelSendSmsOperator, IPPanelSendPatternOperator
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor
from ippanel_provider.notifications.ippanel import IPPanelNotifier
from ippanel_provider.hooks.ippanel import IPPanelHook
assert "/site-packages/" in ippanel_provider.__file__, ippanel_provider.__file__
print("registered", provider.version)
"""
    result = run(bin_dir / "python", "-c", check, cwd=tmp_path)
    assert f"registered {version}" in result.stdout


def readme_install_lines() -> list[tuple[str, str]]:
    found = []
    for readme in [
        ROOT / "README.md",
        *sorted(ROOT.glob("*/README.md")),
        ROOT / "docs" / "index.md",
    ]:
        for line in PIP_INSTALL.findall(readme.read_text(encoding="utf-8")):
            found.append((str(readme.relative_to(ROOT)), line))
    return found


def test_readme_install_lines_name_the_repository_paths() -> None:
    lines = readme_install_lines()
    assert {"mock_server/README.md", "provider/README.md"} <= {readme for readme, _ in lines}
    for readme, line in lines:
        for target in line.split():
            assert (ROOT / target / "pyproject.toml").is_file(), f"{readme}: pip install {line}"


def test_sandbox_readme_install_line_installs_it(constraints: Path, tmp_path: Path) -> None:
    """`pip install ./mock_server` as the sandbox README says, from the repository root."""
    [line] = [line for readme, line in readme_install_lines() if readme == "mock_server/README.md"]
    bin_dir = fresh_venv(tmp_path / "venv")
    install(bin_dir, constraints, *line.split())
    assert "ippanel-mock-server" in installed(bin_dir)
    assert "usage: ippanel-mock" in run(bin_dir / "ippanel-mock", "--help").stdout
