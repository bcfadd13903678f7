"""A regular (non-editable) install works: the wheel carries the knowledge base.

Builds the wheel from this checkout, installs it into a fresh virtual environment and runs the
installed `advisor` from an unrelated folder, as `pipx install .` or `uv tool install .` would.
Offline: the wheel is built without build isolation and its dependencies are borrowed from the
environment running the tests (a path in a .pth file, so that environment's editable install of
advisor is not picked up).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(ROOT), "-w", str(work)],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(work.glob("advisor-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    purelib = Path(
        subprocess.run(
            [str(env_dir / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(purelib)  # a wheel is installed by unpacking it (PEP 427); the script is written below
    (purelib / "borrowed-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    script = env_dir / "bin" / "advisor"
    script.write_text(f"#!{env_dir / 'bin' / 'python'}\nimport sys\nfrom advisor.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ADVISOR_KNOWLEDGE", "PYTHONPATH")}
    env["XDG_CACHE_HOME"] = str(cwd / "cache")
    return subprocess.run([str(env_dir / "bin" / "advisor"), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_wheel_carries_the_knowledge_base(installed: Path) -> None:
    files = list((installed / "lib").glob("python3*/site-packages/advisor/knowledge_base/diagnoses/*.yaml"))
    assert files, "the wheel holds no knowledge YAML"


def test_installed_advisor_checks_and_diagnoses_from_another_folder(installed: Path, tmp_path: Path) -> None:
    checked = _run(installed, "kb", "check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "ok" in checked.stdout
    done = _run(
        installed,
        "diagnose",
        "--answer", "platform=macos", "--answer", "distribution=developer-id", "--answer", "packaging=appex",
        "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["diagnoses"][0]["id"] == "appex-requires-mac-app-store"
    # The compiled-model cache goes to the user's cache folder, never into site-packages.
    assert list((tmp_path / "cache" / "advisor").rglob("*.pickle"))
    assert not list((installed / "lib").rglob("*.pickle"))
