"""The monthly refresh: its workflow only calls scripts, and the scripts work in a real git repository.

Each script of ``.ci/refresh/`` runs here in a temporary repository with a local bare remote (what
GitHub's checkout gives the job), and the end-to-end test runs the refresh job's steps in the order
the workflow lists them, twice (two monthly runs), against the recorded-response server.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hengelo_analysis.paths import PROJECT_ROOT
from hengelo_analysis.pipeline import site

REFRESH = PROJECT_ROOT / ".ci" / "refresh"
WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
# Majors that run on Node 24 (Node 20 was removed from GitHub's runners in September 2026).
MIN_MAJOR = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
    "actions/upload-artifact": 6,
}


def git(*args: str, cwd: Path, check: bool = True) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {result.stderr}")
    return result.stdout.strip()


def script(name: str, *args: str, cwd: Path, env: dict | None = None, check: bool = True):
    result = subprocess.run(
        ["bash", str(REFRESH / name), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def remote(tmp_path) -> Path:
    """A bare remote whose main holds the refresh scripts and .gitignore, as the job checks out."""
    bare = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=tmp_path)
    seed = tmp_path / "seed"
    git("clone", "--quiet", str(bare), str(seed), cwd=tmp_path)
    shutil.copy(PROJECT_ROOT / ".gitignore", seed / ".gitignore")
    shutil.copytree(REFRESH, seed / ".ci" / "refresh")  # copytree keeps the executable bits
    (seed / "README.md").write_text("test\n")
    git("add", ".", cwd=seed)
    git("commit", "--quiet", "-m", "seed", cwd=seed)
    git("push", "--quiet", "origin", "HEAD:refs/heads/main", cwd=seed)
    return bare


def checkout(remote: Path, where: Path) -> Path:
    git("clone", "--quiet", str(remote), str(where), cwd=remote.parent)
    return where


def write_manifest(repo: Path, rel: str, body: str) -> None:
    path = repo / "data" / "raw" / "real" / rel / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    (path.parent / "TypedDataSet-0001.json").write_text("{}")  # raw data: never committed


def fake_edition(reports: Path, gemeente: str, year: int, name: str) -> None:
    edition = reports / gemeente / str(year)
    (edition / "notebooks").mkdir(parents=True)
    (edition / "notebooks" / "01.ipynb").write_text("{}")
    (edition / "notebooks").chmod(0o700)  # what mkdtemp staging leaves: Pages refuses it
    (edition / "index.html").write_text(f"<html><title>{name} {year}</title></html>")
    (edition / ".publish_stamp.json").write_text("{}")
    (reports / gemeente / "index.html").write_text(
        f"<title>Veiligheidsbeeld {name}: alle edities</title>"
    )


# --- the workflow -------------------------------------------------------------------------------


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def test_every_refresh_step_is_one_call_to_a_tested_script():
    steps = workflow("refresh.yml")["jobs"]["refresh"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs, "no run steps"
    for run in runs:
        assert "\n" not in run.strip(), f"multi-line step: {run!r}"
        assert "|| true" not in run and "2>/dev/null" not in run, run
        command = run.split()[0]
        if command == "make":
            assert run.split()[1] == "setup"
            continue
        assert command.startswith(".ci/refresh/"), run
        path = PROJECT_ROOT / command
        assert path.is_file() and os.access(path, os.X_OK), f"{command} missing or not executable"
    # no dead scripts: everything in .ci/refresh/ is a step (and so runs in the end-to-end test)
    called = {Path(r.split()[0]).name for r in runs if r.startswith(".ci/refresh/")}
    assert called == {p.name for p in REFRESH.iterdir()}


def test_the_site_is_pushed_after_it_was_uploaded():
    steps = workflow("refresh.yml")["jobs"]["refresh"]["steps"]
    order = [s.get("uses", s.get("run", "")).split("@")[0].split()[0] for s in steps]
    assert order.index("actions/upload-pages-artifact") < order.index(".ci/refresh/push")
    assert order.index(".ci/refresh/restore-editions") < order.index(".ci/refresh/build")


def test_permissions_are_least_privilege_per_job():
    doc = workflow("refresh.yml")
    assert doc["permissions"] == {}
    assert doc["jobs"]["refresh"]["permissions"] == {"contents": "write"}
    assert doc["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow("ci.yml")["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("name", ["refresh.yml", "ci.yml"])
def test_actions_are_at_a_supported_major(name):
    for job in workflow(name)["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                action, _, ref = step["uses"].partition("@")
                assert ref.startswith("v") and int(ref[1:].split(".")[0]) >= MIN_MAJOR[action], (
                    step["uses"]
                )


def test_dependabot_keeps_the_actions_current():
    doc = yaml.safe_load((PROJECT_ROOT / ".github" / "dependabot.yml").read_text())
    assert {u["package-ecosystem"] for u in doc["updates"]} >= {"github-actions"}


# --- the scripts --------------------------------------------------------------------------------


def test_commit_manifests_commits_only_what_changed(tmp_path, remote):
    repo = checkout(remote, tmp_path / "job")
    write_manifest(repo, "47018NED", '{"modified": "2025-03-14"}')
    write_manifest(repo, "pdok/2025", '{"indeling_year": 2025}')  # PDOK manifests sit per year
    first = script("commit-manifests", cwd=repo, env={"GEMEENTE": "GM0164"})
    assert "committed 2 changed manifest(s)" in first.stdout
    committed = git("show", "--name-only", "--format=%s", "HEAD", cwd=repo).splitlines()
    assert committed[0] == "Refresh: raw data manifests for GM0164"
    assert sorted(c for c in committed[1:] if c) == [
        "data/raw/real/47018NED/manifest.json",
        "data/raw/real/pdok/2025/manifest.json",
    ]
    head = git("rev-parse", "HEAD", cwd=repo)
    again = script("commit-manifests", cwd=repo)
    assert "unchanged; nothing to commit" in again.stdout
    assert git("rev-parse", "HEAD", cwd=repo) == head
    write_manifest(repo, "47018NED", '{"modified": "2025-04-14"}')
    script("commit-manifests", cwd=repo)
    assert git("show", "--name-only", "--format=", "HEAD", cwd=repo) == (
        "data/raw/real/47018NED/manifest.json"
    )


def test_commit_manifests_with_no_download_is_not_an_error(tmp_path, remote):
    repo = checkout(remote, tmp_path / "job")
    result = script("commit-manifests", cwd=repo)
    assert "no manifest" in result.stdout


def test_restore_editions_on_the_first_run_and_after_a_push(tmp_path, remote):
    job = checkout(remote, tmp_path / "job")
    first = script("restore-editions", "reports/real", cwd=job)
    assert "first edition" in first.stdout
    assert not (job / "reports").exists()
    fake_edition(job / "reports" / "real", "GM0164", 2023, "Hengelo")
    site.assemble_site(job / "reports" / "real", job / "site")
    script("push", "site", cwd=job)
    later = checkout(remote, tmp_path / "next-month")
    restored = script("restore-editions", "reports/real", cwd=later)
    assert "1 earlier edition(s)" in restored.stdout
    assert (later / "reports/real/GM0164/2023/notebooks/01.ipynb").exists()
    assert not (later / "reports/real/GM0164/2023/.publish_stamp.json").exists()


def test_push_keeps_the_site_history_and_survives_a_concurrent_push(tmp_path, remote):
    job = checkout(remote, tmp_path / "job")
    reports = job / "reports" / "real"
    fake_edition(reports, "GM0164", 2023, "Hengelo")
    site.assemble_site(reports, job / "site")
    write_manifest(job, "47018NED", '{"modified": "1"}')
    script("commit-manifests", cwd=job)
    # Someone pushes to main while the job builds: the job's push is rejected once, then rebased.
    other = checkout(remote, tmp_path / "other")
    (other / "NEWS.md").write_text("meanwhile\n")
    git("add", "NEWS.md", cwd=other)
    git("commit", "--quiet", "-m", "meanwhile", cwd=other)
    git("push", "--quiet", "origin", "HEAD:main", cwd=other)
    pushed = script("push", "site", cwd=job)
    assert "rejected (attempt 1)" in pushed.stdout and "main pushed" in pushed.stdout
    log = git("log", "--format=%s", "main", cwd=remote).splitlines()
    assert log[:2] == ["Refresh: raw data manifests", "meanwhile"]
    first_site = git("rev-parse", "gh-pages", cwd=remote)
    # Next month: a second edition; the site branch grows by one commit on top of the first.
    fake_edition(reports, "GM0164", 2024, "Hengelo")
    site.assemble_site(reports, job / "site")
    script("push", "site", cwd=job)
    assert git("rev-parse", "gh-pages~1", cwd=remote) == first_site
    tree = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).splitlines()
    assert {"GM0164/2023/index.html", "GM0164/2024/index.html", "index.html"} <= set(tree)
    unchanged = script("push", "site", cwd=job)
    assert "site unchanged" in unchanged.stdout and "nothing new on main" in unchanged.stdout


def test_assembled_site_is_world_readable_and_lists_every_gemeente(tmp_path):
    reports = tmp_path / "reports"
    fake_edition(reports, "GM0164", 2023, "Hengelo")
    fake_edition(reports, "GM0164", 2024, "Hengelo")
    fake_edition(reports, "GM0153", 2024, "Enschede")
    (reports / "GM0153" / "2024" / "failed").mkdir()  # a failed run's notebooks stay private
    entries = site.assemble_site(reports, tmp_path / "site")
    assert [(e.code, e.name, e.peiljaren) for e in entries] == [
        ("GM0153", "Enschede", (2024,)),
        ("GM0164", "Hengelo", (2024, 2023)),
    ]
    out = tmp_path / "site"
    assert site.permission_problems(out) == []
    assert stat.S_IMODE((out / "GM0164/2023/notebooks").stat().st_mode) == 0o755
    assert not list(out.rglob(".publish_stamp.json")) and not (out / "GM0153/2024/failed").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="GM0164/2024/index.html"' in index and "2 edities" in index
    assert ">Enschede<" in index and ">GM0153<" not in index
    assert (out / ".nojekyll").exists()


def test_assemble_site_without_editions_keeps_the_old_site(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("old")
    (tmp_path / "reports").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "hengelo_analysis.pipeline.site", "reports", "site"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "no edition found" in result.stderr
    assert (tmp_path / "site" / "index.html").read_text() == "old"


# --- end to end: two monthly runs of the refresh job ---------------------------------------------


def demo_services(without_year: int | None):
    """The demo tables served as CBS and PDOK serve them; ``without_year``: as before it existed."""
    from hengelo_analysis.demo import crime, kwb, pdok, survey
    from tests.http_fixtures import FakeServices

    police = crime.entity_sets()
    if without_year is not None:
        key = f"{without_year}JJ00"
        police = {
            **police,
            "Perioden": [p for p in police["Perioden"] if p["Key"] != key],
            "TypedDataSet": [r for r in police["TypedDataSet"] if r["Perioden"] != key],
            # a table without the new year was published before it: an older Modified
            "TableInfos": [{**police["TableInfos"][0], "Modified": "2024-03-14T02:00:00"}],
        }
    wijken, buurten = pdok.features()
    return FakeServices(
        odata={
            "/ODataFeed/OData": {crime.TABLE_ID: police},
            "/ODataFeed/odata": {
                survey.VM_TABLE_ID: survey.vm_entity_sets(),
                **{table: sets for table, (_feed, sets, _mod) in kwb.tables().items()},
            },
        },
        pdok={2025: {"wijken": wijken, "buurten": buurten}},
        page_size=5000,
    )


def run_refresh_job(job: Path, base_url: str, uploads: list[dict], remote: Path) -> None:
    """Run the refresh job's steps as the workflow lists them (``uses`` steps simulated)."""
    env = {
        "PYTHON": sys.executable,
        "GEMEENTE": "GM0164",
        "REFRESH_FLAG": "",
        "SITE_BRANCH": "gh-pages",
        "HENGELO_CBS_BASE_URL": base_url,
        "HENGELO_PDOK_BASE_URL": base_url,
    }
    for step in workflow("refresh.yml")["jobs"]["refresh"]["steps"]:
        uses = step.get("uses", "")
        if uses.startswith("actions/upload-pages-artifact"):
            # what Pages receives; the remote's site branch must not be updated yet
            uploaded = job / step["with"]["path"]
            uploads.append(
                {
                    "files": sorted(str(p.relative_to(uploaded)) for p in uploaded.rglob("*")),
                    "problems": site.permission_problems(uploaded),
                    "site_branch_before": git(
                        "rev-parse", "-q", "--verify", "gh-pages", cwd=remote, check=False
                    ),
                }
            )
        elif "run" in step and not step["run"].startswith("make "):
            # GitHub runs a step as `bash -e {0}` with the env; the scripts need nothing else
            result = subprocess.run(
                ["bash", "-e", "-c", step["run"]],
                cwd=job,
                capture_output=True,
                text=True,
                env={**os.environ, **env},
                check=False,
                timeout=1200,
            )
            assert result.returncode == 0, f"{step['run']}:\n{result.stdout}\n{result.stderr}"


@pytest.mark.slow
def test_two_monthly_refreshes_publish_a_site_with_both_editions(tmp_path, remote):
    from tests.http_fixtures import FixtureServer

    uploads: list[dict] = []
    first = checkout(remote, tmp_path / "run-1")
    with FixtureServer(demo_services(without_year=2024)) as base:
        run_refresh_job(first, base, uploads, remote)
    # next month: a fresh checkout; the raw cache is restored (actions/cache), reports are not
    second = checkout(remote, tmp_path / "run-2")
    shutil.copytree(first / "data/raw/real", second / "data/raw/real", dirs_exist_ok=True)
    with FixtureServer(demo_services(without_year=None)) as base:
        run_refresh_job(second, base, uploads, remote)

    assert [u["problems"] for u in uploads] == [[], []]  # files 0644, folders 0755
    assert "GM0164/2023/index.html" in uploads[0]["files"]
    assert {"GM0164/2023/index.html", "GM0164/2024/index.html", "index.html"} <= set(
        uploads[1]["files"]
    )
    # pushed after the upload: the first upload happened before any site branch existed
    assert uploads[0]["site_branch_before"] == ""
    tree = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).splitlines())
    assert {"GM0164/2023/index.html", "GM0164/2024/index.html"} <= tree
    # the manifests were committed in both runs (the police table changed), raw data never
    log = git("log", "--format=%s", "--name-only", "main", cwd=remote)
    assert log.count("Refresh: raw data manifests for GM0164") == 2
    assert "data/raw/real/47018NED/manifest.json" in log and "TypedDataSet" not in log
