"""The files assign writes come from kit/templates/ and are tested as what they are: shell
scripts parse, workflows validate against GitHub's workflow schema, the learner's project
holds only the learner's configuration, and the Classroom workflow can neither be graded
with the submission's graders nor score anything but 0 when it is not set up."""

from __future__ import annotations

import base64
import http.server
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from kit import assign

from conftest import KIT

TEMPLATES = KIT / "kit" / "templates"


def _yaml(path: Path) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("script", ["setup.sh", "run_autograder"])
def test_shell_templates_parse(script):
    proc = subprocess.run(["bash", "-n", str(TEMPLATES / script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_setup_sh_installs_no_compiler_and_fails_clearly_without_python_311(tmp_path):
    text = (TEMPLATES / "setup.sh").read_text()
    installs = [line for line in text.splitlines() if line.lstrip().startswith(("apt_install ", "apt-get install"))]
    assert installs and not any("python3-pip" in line or "build-essential" in line for line in installs)
    assert "apt-get install -y -qq --no-install-recommends" in text
    assert "--require-hashes -r requirements.txt" in text and "playwright install --with-deps chromium" in text
    # A machine whose only python3 is 3.10: a clear error, exit status 1.
    (tmp_path / "source").mkdir()
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "python3").write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'Python 3.10.12'; exit 0; fi\n"
                                  "exit 1\n")
    (bin_ / "python3").chmod(0o755)
    for tool in ("bash", "env", "cat", "echo"):
        if shutil.which(tool):
            (bin_ / tool).symlink_to(shutil.which(tool))
    proc = subprocess.run(["bash", str(TEMPLATES / "setup.sh")], capture_output=True, text=True, timeout=60,
                          env={"PATH": str(bin_), "AUTOGRADER_ROOT": str(tmp_path), "SKIP_APT": "1"})
    assert proc.returncode == 1 and "no Python 3.11 or newer" in proc.stderr and "3.10.12" in proc.stderr


def test_lock_pins_every_dependency_exactly():
    deps = tomllib.loads((KIT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = {line.split("==")[0].lower() for line in (KIT / "requirements.txt").read_text().splitlines()
              if "==" in line and not line.startswith(" ")}
    import re

    names = {re.split(r"[\[<>=!~ ]", d, maxsplit=1)[0].lower() for d in deps}
    assert names <= pinned, names - pinned
    assert "--hash=sha256:" in (KIT / "requirements.txt").read_text() and (KIT / "uv.lock").is_file()
    if shutil.which("uv"):  # the export is the lock's: `uv export` gives the same pins
        proc = subprocess.run(["uv", "export", "--format", "requirements-txt", "--no-dev", "--no-emit-project",
                               "--frozen", "--quiet"], cwd=KIT, capture_output=True, text=True, timeout=120)
        if proc.returncode == 0:
            strip = lambda s: [x for x in s.splitlines() if not x.startswith("#")]  # noqa: E731
            assert strip(proc.stdout) == strip((KIT / "requirements.txt").read_text())


def test_learner_pyproject_holds_only_the_learners_configuration():
    data = tomllib.loads(assign.learner_pyproject(KIT))
    kit = tomllib.loads((KIT / "pyproject.toml").read_text())
    assert data["project"]["dependencies"] == kit["project"]["dependencies"]
    assert "dependency-groups" not in data and "per-file-ignores" not in json.dumps(data["tool"])
    assert "extend-exclude" not in data["tool"]["ruff"]
    pytest_opts = dict(kit["tool"]["pytest"]["ini_options"])
    pytest_opts.pop("testpaths")
    assert data["tool"]["pytest"]["ini_options"] == pytest_opts  # what the engine's -c reads, and no drift


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("assign") / "out"
    proc = subprocess.run([sys.executable, "-m", "kit.assign", str(out), "01"], cwd=KIT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_generated_files_are_the_templates(handout):
    student, private = handout / "student", handout / "private"
    assert (student / "noxfile.py").read_text() == (TEMPLATES / "noxfile.py").read_text()
    assert (student / ".github/workflows/classroom.yml").read_text() == (TEMPLATES / "classroom.yml").read_text()
    assert (private / ".github/workflows/gradebook.yml").read_text() == (TEMPLATES / "gradebook.yml").read_text()
    assert (student / "README.md").read_text() == (TEMPLATES / "README.student.md").read_text()
    assert (student / "requirements.txt").read_text() == (KIT / "requirements.txt").read_text()
    assert (student / ".gitignore").read_text() == (TEMPLATES / "gitignore").read_text()


def test_student_nox_lists_only_the_learners_sessions(handout):
    nox = shutil.which("nox")
    if nox is None:
        pytest.skip("nox is not on PATH")
    proc = subprocess.run([nox, "-l", "--json"], cwd=handout / "student", capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [s["session"] for s in json.loads(proc.stdout)] == ["grade", "serve", "watch", "pytest"]


def test_workflows_validate_against_githubs_schema(handout, tmp_path):
    files = [handout / "student/.github/workflows/classroom.yml", handout / "private/.github/workflows/gradebook.yml"]
    check = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    proc = subprocess.run([*check, *map(str, files)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = tmp_path / "broken.yml"  # the check has teeth: a job without runs-on is refused
    broken.write_text(files[0].read_text().replace("    runs-on: ubuntu-latest\n", "", 1))
    assert subprocess.run([*check, str(broken)], capture_output=True, timeout=120).returncode != 0


# --- the Classroom workflow: set up or 0, and never the submission's graders -----------------

def _steps(path: Path) -> list[dict]:
    return _yaml(path)["jobs"]["run-autograding-tests"]["steps"]


class _GitHubAPI(http.server.BaseHTTPRequestHandler):
    """/repos/org/graders (private) and /repos/org/public, readable with the token 'good'."""

    def do_GET(self):  # noqa: N802
        repos = {"/repos/org/graders": True, "/repos/org/public": False}
        if self.headers.get("Authorization") != "Bearer good" or self.path not in repos:
            self.send_response(404 if self.headers.get("Authorization") == "Bearer good" else 401)
            self.end_headers()
            return
        body = json.dumps({"full_name": self.path[7:], "private": repos[self.path]}, indent=1).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GitHubAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("repo, token, code, says", [
    (None, "good", 1, "GRADERS_REPOSITORY is not set"),
    ("", "good", 1, "GRADERS_REPOSITORY is not set"),
    ("org/student-repo", "good", 1, "names this submission's own repository"),
    ("not a repo", "good", 1, "not owner/name"),
    ("org/graders", None, 1, "GRADERS_TOKEN is not set"),
    ("org/graders", "expired", 1, "GRADERS_TOKEN cannot read org/graders (HTTP 401)"),
    ("org/missing", "good", 1, "cannot read org/missing (HTTP 404)"),
    ("org/public", "good", 1, "not a private repository"),
    ("org/graders", "good", 0, ""),
], ids=["unset", "empty", "own-repo", "malformed", "no-token", "bad-token", "no-repo", "public", "ok"])
def test_classroom_first_step_fails_clearly_with_zero_points(handout, api, tmp_path, repo, token, code, says):
    steps = _steps(handout / "student/.github/workflows/classroom.yml")
    first = steps[0]
    assert first["id"] == "settings" and "vars.GRADERS_REPOSITORY" in first["env"]["GRADERS_REPOSITORY"]
    out = tmp_path / "github_output"
    env = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(out), "GITHUB_REPOSITORY": "org/student-repo",
           "RUNNER_TEMP": str(tmp_path), "GITHUB_API_URL": api}
    if repo is not None:
        env["GRADERS_REPOSITORY"] = repo
    if token is not None:
        env["GRADERS_TOKEN"] = token
    proc = subprocess.run(["bash", "-c", first["run"]], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert says in proc.stdout
    if code:
        assert "::error title=Autograding is not set up::" in proc.stdout
    zero = [line for line in out.read_text().splitlines() if line.startswith("zero=")]
    payload = json.loads(base64.b64decode(zero[0][5:]))
    assert payload["version"] == 3 and sum(t["score"] for t in payload["tests"]) == 0
    assert (says or "did not finish") in payload["tests"][0]["message"]
    # When it fails, nothing after it runs but the reporter, which then reports that 0.
    later = [s for s in steps[1:] if "if" in s or s.get("continue-on-error")]
    assert [s.get("name") for s in later] == ["Grade", "Autograding Reporter"]
    assert steps[-1]["if"] == "always()" and "steps.settings.outputs.zero" in steps[-1]["env"]["GRADE_RESULTS"]
    assert "if" not in next(s for s in steps if s.get("name") == "Grade")


def _grade_command(steps: list[dict]) -> tuple[str, str]:
    grade = next(s for s in steps if s.get("id") == "grade")
    venv = '"$RUNNER_TEMP/grading-venv/bin/python"'
    command = " ".join(grade["run"].split())
    assert command.startswith(f"{venv} -E -B -m grading "), command
    return grade["working-directory"], command


def test_classroom_grades_only_with_the_private_engine_and_graders(handout, tmp_path):
    steps = _steps(handout / "student/.github/workflows/classroom.yml")
    graders_checkout = next(s for s in steps if s.get("name") == "Check out the graders (private)")
    assert graders_checkout["with"]["path"] == "graders-kit" and not graders_checkout["with"]["persist-credentials"]
    install = next(s for s in steps if s.get("name") == "Install the graders' pinned environment")
    assert "-r graders-kit/requirements.txt" in install["run"] and "submission" not in install["run"]
    cwd, command = _grade_command(steps)
    assert cwd == "graders-kit" and "--graders" not in command
    args = shlex.split(command)
    assert [a for a in args if "submission" in a] == ["$GITHUB_WORKSPACE/submission/exercises",
                                                      "$GITHUB_WORKSPACE/submission"]
    assert args[args.index("--target") + 1].endswith("submission/exercises")

    # Run it: a submission that carries its own engine and graders (free points, a forged
    # result) is graded by the private ones.
    ws = tmp_path / "ws"
    shutil.copytree(handout / "student", ws / "submission")
    shutil.copytree(handout / "private", ws / "graders-kit")
    forged = ("import os\nopen(os.environ.get('GITHUB_OUTPUT', 'x'), 'a').write('result=FORGED\\n')\n"
              "print('OWN ENGINE')\n")
    (ws / "submission/grading/__main__.py").write_text(forged)
    (ws / "submission/grading/cli.py").write_text(forged)
    for test in (ws / "submission/graders/01_coroutines").glob("test_*.py"):
        test.write_text("from grading import graded\n\n@graded(points=100, task=1, hint='h')\n"
                        "def test_free():\n    pass\n")
    out, summary = tmp_path / "github_output", tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_WORKSPACE": str(ws), "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary),
           "RUNNER_TEMP": str(tmp_path), "GITHUB_ACTIONS": "true"}
    env.pop("PYTHONPATH", None)
    run = command.replace('"$RUNNER_TEMP/grading-venv/bin/python"', shlex.quote(sys.executable), 1) + " 01"
    proc = subprocess.run(["bash", "-c", run], cwd=ws / cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the skeleton fails
    assert "OWN ENGINE" not in proc.stdout + proc.stderr and "FORGED" not in out.read_text()
    result = [line for line in out.read_text().splitlines() if line.startswith("result=")]
    payload = json.loads(base64.b64decode(result[0][7:]))
    assert payload["max_score"] > 0 and sum(t["score"] for t in payload["tests"]) == 0
    assert any(t["name"].startswith("01_coroutines › hidden test") for t in payload["tests"])  # private graders
    assert not any("test_free" in t["name"] for t in payload["tests"])
    assert "Graders edited" in proc.stderr  # and the edit is flagged


def test_classroom_lets_the_browser_test_count():
    steps = _steps(TEMPLATES / "classroom.yml")
    grade = next(s for s in steps if s.get("id") == "grade")
    assert grade["env"]["GRADING_BROWSER"] == "chrome"
    private = _yaml(TEMPLATES / "gradebook.yml")["jobs"]["grade"]["steps"]
    assert next(s for s in private if s.get("name") == "Grade")["env"]["GRADING_BROWSER"] == "chrome"


def test_private_kit_holds_everything_the_gradebook_imports_of_kit():
    import ast

    needed = set()
    for name in assign.PRIVATE_KIT:
        for node in ast.walk(ast.parse((KIT / "kit" / name).read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kit":
                needed |= {f"{node.module.split('.')[1]}.py"} if "." in node.module else \
                    {f"{a.name}.py" for a in node.names}
    assert needed <= set(assign.PRIVATE_KIT), needed - set(assign.PRIVATE_KIT)


def test_classroom_checks_that_the_checked_out_graders_are_the_private_repository(tmp_path):
    step = next(s for s in _steps(TEMPLATES / "classroom.yml")
                if s.get("name") == "Check that the graders are the private repository's")

    def repo(path: Path, origin: str, content: str) -> None:
        (path / "grading").mkdir(parents=True)
        (path / "graders").mkdir()
        (path / "grading" / "x.py").write_text(content)
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@e"}
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "x"], ["remote", "add", "origin", origin]):
            subprocess.run(["git", *cmd], cwd=path, env=env, check=True, capture_output=True)

    repo(tmp_path / "submission", "https://github.com/org/student-repo", "student")
    repo(tmp_path / "graders-kit", "https://github.com/Org/Graders.git", "graders")
    env = {"PATH": os.environ["PATH"], "GITHUB_SERVER_URL": "https://github.com", "GRADERS_REPOSITORY": "org/graders"}
    ok = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    shutil.rmtree(tmp_path / "graders-kit")  # what an empty `repository:` would have checked out: the submission
    shutil.copytree(tmp_path / "submission", tmp_path / "graders-kit")
    bad = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "is not the private graders repository" in bad.stdout
