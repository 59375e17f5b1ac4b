"""A database from before the apps were split (attempts, drafts and registry passwords in one `sandbox` app) is
taken over as it is: `migrate --fake-initial` adopts its tables, and every row reads through the new apps."""
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "tests" / "fixtures" / "db-before-apps.sql"  # the schema and a learner's rows, as they were

READ_BACK = """
import json
from attempts.models import Attempt, Draft
from registry.models import RegistryPassword
attempt = Attempt.objects.get()
print(json.dumps({
    "learner": attempt.user.username, "exercise": attempt.exercise.slug, "score": attempt.score,
    "events": list(attempt.events.values_list("seq", flat=True)),
    "graded_against": attempt.graded_definition["checks"][0]["id"],
    "drafts": Draft.objects.count(), "registry_passwords": RegistryPassword.objects.count(),
}))
"""


def manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LAYERLAB_DB_PATH": str(database), "SANDBOX_EMBEDDED_WORKERS": "false",
                   "SANDBOX_REAP_INTERVAL": "0"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)


def test_a_database_from_before_the_split_keeps_every_row(tmp_path):
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.executescript(BEFORE.read_text())
    migrated = manage(database, "migrate", "--noinput", "--fake-initial")
    assert migrated.returncode == 0, migrated.stderr
    assert "attempts.0001_initial... FAKED" in migrated.stdout
    read = manage(database, "shell", "-v", "0", "-c", READ_BACK)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout) == {
        "learner": "ada", "exercise": "first-dockerfile", "score": 6, "events": [1, 2],
        "graded_against": "builds", "drafts": 1, "registry_passwords": 1,
    }


def test_a_new_database_gets_the_same_tables(tmp_path):
    database = tmp_path / "db.sqlite3"
    assert manage(database, "migrate", "--noinput", "--fake-initial").returncode == 0
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sandbox_attempt", "sandbox_attemptevent", "sandbox_draft", "sandbox_registrypassword"} <= tables


def test_the_scripts_of_earlier_attempts_and_drafts_stay_executable(tmp_path):
    """They were built with every file starting with "#!" executable: restored, they build as they did."""
    database = tmp_path / "db.sqlite3"
    files = json.dumps({"Dockerfile": "FROM layerlab/busybox\n", "run.sh": "#!/bin/sh\necho\n", "notes.txt": "x"})
    with sqlite3.connect(database) as connection:
        connection.executescript(BEFORE.read_text())
        connection.execute("UPDATE sandbox_attempt SET files = ?", (files,))
    migrated = manage(database, "migrate", "--noinput", "--fake-initial")
    assert migrated.returncode == 0, migrated.stderr
    read = manage(database, "shell", "-v", "0", "-c", "import json\nfrom attempts.models import Attempt, Draft\n"
                  "print(json.dumps([Attempt.objects.get().executable, Draft.objects.get().executable]))")
    assert json.loads(read.stdout) == [["run.sh"], []]
