#!/usr/bin/env python3
"""Replay the Dockerfile without a Docker engine, then fetch pages from what it built.

Reads the Dockerfile itself: its ENV lines become the environment, COPY copies the work tree
(less .dockerignore) into a temporary WORKDIR, each RUN line runs there with a clean virtualenv
first on PATH (standing in for the image's Python), and CMD starts on a loopback port. Then it
fetches the home page, a static file the page links, the admin's login page and /healthz, as a
proxy that terminated TLS would (X-Forwarded-Proto: https), and fails on anything but 200.

Skipped, and said so: `useradd` (it changes the machine's users; the image has its own) and USER.
Usage: scripts/replay_dockerfile.py [--database-url URL]   (default: a SQLite file in the tree)
"""

import argparse
import fnmatch
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def ignored(relative: str, patterns: list[str]) -> bool:
    parts = relative.split("/")
    return any(
        fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(parts[0], p) or
        (p.startswith("**/") and any(fnmatch.fnmatch(part, p[3:]) for part in parts))
        for p in patterns
    )  # fmt: skip


def copy(source: str, destination: Path, patterns: list[str]) -> None:
    if source == ".":
        for path in ROOT.rglob("*"):
            relative = path.relative_to(ROOT).as_posix()
            if path.is_file() and not ignored(relative, patterns):
                target = destination / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
    else:
        target = destination / Path(source).name if destination.is_dir() else destination
        shutil.copy2(ROOT / source, target)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a SQLite file in the replayed tree")
    args = parser.parse_args()
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip()]
    build = Path(tempfile.mkdtemp(prefix="dockerfile-replay-"))
    venv = build / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "HOME": str(build), "LANG": "C.UTF-8"}
    workdir, command = build, None
    for keyword, rest in instructions(ROOT / "Dockerfile"):
        if keyword == "FROM":
            print(f"FROM {rest}: standing in with {sys.version.split()[0]} in {venv}")
        elif keyword == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(rest))
        elif keyword == "WORKDIR":
            workdir = build / rest.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            source, destination = shlex.split(rest)
            copy(source, workdir / destination if destination != "." else workdir, patterns)
        elif keyword == "RUN":
            if rest.startswith("useradd"):
                print(f"RUN {rest}: skipped (changes the machine's users)")
                continue
            print(f"RUN {rest}", flush=True)
            subprocess.run(["sh", "-c", rest], cwd=workdir, env=env, check=True)
        elif keyword == "CMD":
            command = json.loads(rest)
        else:
            print(f"{keyword} {rest}: nothing to replay")
    assert command, "the Dockerfile has no CMD"

    port = free_port()
    runtime = {
        **env,
        "DEBUG": "false",
        "SECRET_KEY": "replay-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'replay.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
    }
    # What docker-compose's web service runs before the CMD.
    subprocess.run(
        ["python", "manage.py", "migrate", "--no-input", "-v0"],
        cwd=workdir,
        env=runtime,
        check=True,
    )
    command = [part.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for part in command]
    print("CMD", " ".join(command), flush=True)
    server = subprocess.Popen(command, cwd=workdir, env=runtime)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        failures = []
        status, home = fetch(f"{base}/")
        static = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home)
        checks = [("/", status), ("/admin/login/", fetch(f"{base}/admin/login/")[0])]
        checks.append(("/healthz", fetch(f"{base}/healthz")[0]))
        if static:
            checks.append((static.group(1), fetch(base + static.group(1))[0]))
        else:
            failures.append("the home page links no hashed (manifest) stylesheet")
        for path, code in checks:
            print(f"GET {path}: {code}")
            if code != 200:
                failures.append(f"GET {path} answered {code}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(build, ignore_errors=True)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
