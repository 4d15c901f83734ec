"""The README's commands, run verbatim in a fresh copy of the repository and a fresh venv, print what it shows.

The first set-up command installs Statewright with pip. Tests reach nothing beyond 127.0.0.1, so pip is pointed
(by environment variables, the command itself unchanged) at a wheelhouse made here from the packages of the
environment running the tests: each installed distribution is packed back into a wheel from its RECORD. The
second set-up command runs this very test suite; CI (``.ci/run``) runs it verbatim on a clean clone.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROJECT_DEPENDENCIES = ("statewright",)  # what `pip install -e .` pulls in, found from the installed metadata


def set_up_commands() -> list[str]:
    block = README.split("## Set up", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return block.strip().splitlines()


def shown(marker: str) -> str:
    return README.split(f"<!-- {marker}:start -->", 1)[1].split("```", 2)[1].split("\n", 1)[1]


# --- an offline wheelhouse from this environment -----------------------------------------------------------


def _requirements(name: str, seen: set[str]) -> Iterator[importlib.metadata.Distribution]:
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return
    seen.add(key)
    try:
        distribution = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return  # an optional dependency for another platform or Python: not needed here
    yield distribution
    for requirement in distribution.requires or ():
        if "extra ==" in requirement:
            continue
        yield from _requirements(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0], seen)


def _repack(distribution: importlib.metadata.Distribution, folder: Path) -> None:
    """Write ``distribution`` back as a wheel: the files its RECORD lists under site-packages."""
    tag = next(line.split(": ", 1)[1] for line in distribution.read_text("WHEEL").splitlines()  # type: ignore[union-attr]
               if line.startswith("Tag: "))
    name = re.sub(r"[-.]+", "_", distribution.metadata["Name"])
    version = distribution.version
    site = Path(distribution.locate_file(""))
    records = []
    target = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path in distribution.files or ():
            text = str(path)
            if text.startswith("..") or "__pycache__" in text or text.endswith(("RECORD", "INSTALLER", "REQUESTED",
                                                                                  "direct_url.json")):
                continue
            data = (site / path).read_bytes()
            wheel.writestr(text, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append((text, f"sha256={digest}", str(len(data))))
        dist_info = Path(distribution._path).name  # type: ignore[attr-defined]  # as installed, case and all
        buffer = io.StringIO()
        csv.writer(buffer).writerows([*records, (f"{dist_info}/RECORD", "", "")])
        wheel.writestr(f"{dist_info}/RECORD", buffer.getvalue())


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheelhouse")
    seen: set[str] = set()
    wanted = list(_requirements("statewright", seen))[1:]  # statewright itself is built from the copy
    for name in ("hatchling", "editables"):  # the build backend (pyproject.toml's build-system)
        wanted += _requirements(name, seen)
    for distribution in wanted:
        _repack(distribution, folder)
    return folder


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the repository: its tracked and untracked-but-not-ignored files, as a clone would have."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    target = tmp_path_factory.mktemp("clone")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def offline_env(wheelhouse: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "VIRTUAL_ENV"))}
    env.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse), "PIP_CONFIG_FILE": os.devnull,
                "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_COLOR": "1"})
    return env


@pytest.mark.slow
def test_the_first_set_up_command_runs_verbatim_and_prints_what_readme_shows(clone: Path, wheelhouse: Path) -> None:
    first, second = set_up_commands()
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/statewright run ")
    assert second == "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
    done = subprocess.run(["bash", "-c", first], cwd=clone, env=offline_env(wheelhouse), capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    expected = shown("first-command-output").rstrip("\n").splitlines()
    trace, output = expected[:expected.index("{")], expected[expected.index("{"):]
    assert done.stdout.splitlines() == output
    # The trace: the same lines, but for the execution's uuid and the times (task time is real time).
    mask = re.compile(r"^\s*[\d.]+s  |[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|<uuid>")
    got = [mask.sub("", line) for line in done.stderr.splitlines() if "WARNING" not in line]
    assert got == [mask.sub("", line) for line in trace]
    assert (clone / "statewright.db").exists()  # where the first line says the execution is recorded
    resumed = subprocess.run([str(clone / ".venv" / "bin" / "statewright"), "db", "info", "--db", "statewright.db",
                              "--json"], cwd=clone, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(resumed.stdout)["executions"] == {"SUCCEEDED": 1}


def test_the_wheel_ships_the_type_marker_the_schema_and_the_migrations(clone: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                           str(tmp_path), str(clone)], capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PIP_NO_INDEX": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("statewright-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("statewright/py.typed", "statewright/schemas/statewright.schema.json",
                    "statewright/store/migrations/sqlite/0001_initial.sql", "statewright/core/intrinsics/grammar.lark"):
        assert shipped in names, shipped


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_http_example_prints_what_readme_shows(tmp_path: Path) -> None:
    script = README.split("```sh\ncat > echo_server.py", 1)[1].split("```", 1)[0]
    script = "cat > echo_server.py" + script
    port = str(_free_port())  # the README's 8080 may be taken on a test machine
    script = script.replace("8080", port).replace("python echo_server.py &",
                                                  f"{sys.executable} echo_server.py & server=$!")
    script = script.replace("\nstatewright run ", f"\nfor _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/{port}) "
                            "2>/dev/null && break; sleep 0.1; done\n" + f"{sys.executable} -m statewright run ")
    script += "\nkill $server\n"
    started = time.monotonic()
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == shown("http-example-output").strip()
    assert time.monotonic() - started < 60


def test_the_serve_section_runs_as_written(tmp_path: Path) -> None:
    """The Serve section's shell lines, boto3 lines and describe line, verbatim but for the port and the venv."""
    commands, python, describe = (shown(marker) for marker in ("serve-commands", "serve-boto3", "serve-describe"))
    lines = commands.replace("\\\n", "").strip().splitlines()
    assert lines[0].startswith(".venv/bin/pip install -q awscli boto3")  # installed here by the [test] extra
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    port = str(_free_port())
    venv = f"{Path(sys.executable).parent}/"
    script = ["set -e"]
    for line in lines[1:]:
        line = line.replace(".venv/bin/", venv).replace("8083", port)
        if line.rstrip().split("#")[0].rstrip().endswith("&"):
            script += [line.split("#")[0].replace("serve ", f"serve --port {port} ", 1).rstrip() + " server=$!",
                       f"for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; "
                       "sleep 0.1; done"]
        else:
            script.append(line)
    script.append(f"{venv}python - <<'PYTHON'\n{python.replace('8083', port)}PYTHON")
    ask = describe.replace("\\\n", "").strip().replace(".venv/bin/", venv).replace("8083", port)
    script += [f'for _ in $(seq 100); do out=$({ask}); case "$out" in SUCCEEDED*) break;; esac; sleep 0.1; done',
               'echo "$out"', "kill $server", "wait $server"]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    status, output = done.stdout.strip().splitlines()[-1].split("\t", 1)
    assert status == "SUCCEEDED" and json.loads(output)["sent"] == 3
    assert (tmp_path / "statewright.db").is_file()  # recorded where the section says
