"""The checks that judge behaviour and image facts, graded on the real engine: process (PID 1 of the running
container), stop with ready, cache with run and image (a rebuild with a context file edited), and layer (which
build step, and which stage, wrote a file). Each is shown accepting the spellings of a correct solution and
refusing the fakes a learner who wants the tick would write."""
import pytest
from django.conf import settings

from grading.checks import parse_check
from grading.runner import GradingSpec, grade

pytestmark = pytest.mark.engine

# A server that prints "ready", and "bye" on SIGTERM, exiting 0: the graceful-stop exercise's.
SERVER = (settings.COURSE_CONTENT_DIR / "05-run-cmd-entrypoint" / "exercises" / "graceful-stop" / "solution"
          / "server.py").read_bytes()
BASES = ["layerlab/busybox", "layerlab/python"]


def graded(engine, checks: list[dict], dockerfile: str, **files: bytes):
    """The report of one submission graded against `checks` (an exercise's YAML, as mappings)."""
    spec = GradingSpec("behaviour", BASES, [parse_check(f"checks[{i}]", {"id": f"c{i}", **options})
                                            for i, options in enumerate(checks)])
    report = grade(engine, spec, {"Dockerfile": dockerfile.encode(), **files})
    assert report.outcome.ok, report.outcome.message()
    return report.checks[0]


# ------------------------------------------------------------------------------------------------------ process

PYTHON_IS_PID1 = {"type": "process", "ready": "ready", "executable": {"matches": "/python3(\\.\\d+)*$"},
                  "argv": {"matches": "^\\S*python3 \\S*server\\.py$"}}
ENTRYPOINT_SCRIPT = b"#!/bin/sh\necho starting\nexec python3 /app/server.py\n"


@pytest.mark.parametrize("dockerfile", [
    'FROM layerlab/python\nWORKDIR /app\nCOPY server.py .\nENTRYPOINT ["python3", "server.py"]\n',
    'FROM layerlab/python\nWORKDIR /app\nCOPY server.py start.sh ./\nRUN chmod +x start.sh\n'
    'ENTRYPOINT ["/app/start.sh"]\n',
    'FROM layerlab/python\nWORKDIR /app\nCOPY server.py .\nCMD exec python3 server.py\n',
], ids=["exec-form", "entrypoint-script-that-execs", "shell-form-that-execs"])
def test_python_is_the_main_process_however_it_is_spelled(real_engine, dockerfile):
    result = graded(real_engine, [PYTHON_IS_PID1], dockerfile, **{"server.py": SERVER, "start.sh": ENTRYPOINT_SCRIPT})
    assert result.passed, result.message["en"]
    assert "/usr/bin/python3" in result.message["en"]


def test_a_shell_wrapper_spelled_as_a_json_array_is_not_the_program(real_engine):
    result = graded(real_engine, [PYTHON_IS_PID1],
                    'FROM layerlab/python\nWORKDIR /app\nCOPY server.py .\nCMD ["sh", "-c", "python3 server.py"]\n',
                    **{"server.py": SERVER})
    assert not result.passed
    assert 'PID 1 is "/usr/bin/dash" running "sh -c python3 server.py"' in result.message["en"]
    assert "PID 1 是" in result.message["zh-hans"]


def test_busybox_sh_execs_a_lone_command_so_that_command_is_pid1(real_engine):
    # The fact, not the text: busybox's sh -c replaces itself with its last command.
    result = graded(real_engine, [{"type": "process", "argv": "sleep 30", "executable": "/bin/busybox"}],
                    'FROM layerlab/busybox\nCMD ["sh", "-c", "sleep 30"]\n')
    assert result.passed, result.message["en"]


def test_a_container_that_exits_by_itself_has_no_main_process_to_judge(real_engine):
    result = graded(real_engine, [PYTHON_IS_PID1], 'FROM layerlab/python\nCMD ["python3", "-c", "print(\'bye\')"]\n')
    assert not result.passed
    assert "exited by itself before its main process was read" in result.message["en"]


def test_a_container_that_never_says_ready_fails(real_engine):
    result = graded(real_engine, [{**PYTHON_IS_PID1, "ready": "listening"}],
                    'FROM layerlab/python\nWORKDIR /app\nCOPY server.py .\nCMD ["python3", "server.py"]\n',
                    **{"server.py": SERVER.replace(b'print("ready"', b'print("starting"')})
    assert not result.passed
    assert 'never printed "listening"' in result.message["en"]


# --------------------------------------------------------------------------------------------------------- stop

STOPS = {"type": "stop", "within_s": 2, "ready": "ready", "prints": "bye"}
SERVES = 'FROM layerlab/python\nCOPY server.py /srv/\nCMD ["python3", "/srv/server.py"]\n'


def test_a_server_that_handles_sigterm_stops_gracefully(real_engine):
    result = graded(real_engine, [STOPS], SERVES, **{"server.py": SERVER})
    assert result.passed, result.message["en"]


@pytest.mark.parametrize("program", [
    "print('bye')",
    "print('ready', flush=True); print('bye')",
], ids=["never-ready", "ready-then-gone"])
def test_a_container_that_exits_by_itself_does_not_stop_gracefully(real_engine, program):
    result = graded(real_engine, [STOPS], f'FROM layerlab/python\nCMD ["python3", "-c", "{program}"]\n')
    assert not result.passed
    assert "exited by itself before `docker stop` was sent" in result.message["en"], result.message["en"]
    assert "自己退出了" in result.message["zh-hans"]


def test_a_stop_that_exits_with_another_status_fails(real_engine):
    server = SERVER.replace(b"sys.exit(0)", b"sys.exit(3)")
    result = graded(real_engine, [STOPS], SERVES, **{"server.py": server})
    assert not result.passed
    assert "exited with code 3; expected 0" in result.message["en"]


# -------------------------------------------------------------------------------------------------------- cache

APP_SH = b'#!/bin/sh\necho "app ready with $(wc -l < /installed) dependencies"\n'
INSTALL = 'FROM layerlab/busybox\nCOPY deps.txt /\nRUN cp /deps.txt /installed\nCOPY app.sh /\n'
APP_EDITED = {"type": "cache", "change": {"app.sh": '#!/bin/sh\necho "version 2"\n'},
              "cached": ["^RUN "], "image": "changed", "run": {"stdout": "version 2"}}


@pytest.mark.parametrize("command", ['CMD ["sh", "/app.sh"]', 'ENTRYPOINT ["sh", "/app.sh"]', "CMD sh /app.sh"])
def test_an_edit_of_the_source_shows_in_the_output_and_leaves_the_install_cached(real_engine, command):
    result = graded(real_engine, [APP_EDITED], f"{INSTALL}{command}\n", **{"app.sh": APP_SH, "deps.txt": b"a\nb\n"})
    assert result.passed, result.message["en"]
    assert "followed the change" in result.message["en"]


def test_an_image_that_echoes_the_output_does_not_follow_an_edit_of_the_source(real_engine):
    result = graded(real_engine, [APP_EDITED], f'{INSTALL}CMD ["echo", "app ready with 2 dependencies"]\n',
                    **{"app.sh": APP_SH, "deps.txt": b"a\nb\n"})
    assert not result.passed
    assert 'the rebuilt image did not follow: `docker run <image>` printed "app ready with 2 dependencies"' in \
        result.message["en"]
    assert "重新构建的镜像没有随之改变" in result.message["zh-hans"]


def test_an_edit_of_a_file_the_image_never_copies_leaves_the_image_the_same(real_engine):
    checks = [{"type": "cache", "change": {"notes.md": "edited"}, "image": "same"}]
    files = {"app.sh": APP_SH, "deps.txt": b"a\n", "notes.md": b"notes"}
    assert graded(real_engine, checks, f'{INSTALL}CMD ["sh", "/app.sh"]\n', **files).passed
    copied = graded(real_engine, checks, f'{INSTALL}COPY notes.md /\nCMD ["sh", "/app.sh"]\n', **files)
    assert not copied.passed
    assert "made a different image; expected the same one" in copied.message["en"]


def test_arguments_and_environment_change_the_output_of_a_real_program(real_engine):
    checks = [{"type": "run", "args": ["Zoë"], "stdout": "Hello, Zoë!"}]
    greeter = 'FROM layerlab/busybox\nENTRYPOINT ["sh", "-c", "echo \\"Hello, $0!\\""]\nCMD ["world"]\n'
    assert graded(real_engine, checks, greeter).passed
    echo = graded(real_engine, checks, 'FROM layerlab/busybox\nCMD ["echo", "Hello, world!"]\n')
    assert not echo.passed


# -------------------------------------------------------------------------------------------------------- layer

WRITTEN_BY_RUN = {"type": "layer", "path": "/app/info.txt", "created_by": {"matches": "^RUN "}}


@pytest.mark.parametrize("dockerfile", [
    "FROM layerlab/busybox\nWORKDIR /app\nRUN echo built > info.txt\n",
    "FROM layerlab/busybox\nRUN mkdir /app && printf 'built\\n' > /app/info.txt\nRUN ls /app\n"
    'CMD ["cat", "/app/info.txt"]\n',
], ids=["run", "run-then-a-step-that-reads"])
def test_a_file_written_by_a_run_step_passes(real_engine, dockerfile):
    result = graded(real_engine, [WRITTEN_BY_RUN], dockerfile)
    assert result.passed, result.message["en"]
    assert "was written by step" in result.message["en"]


@pytest.mark.parametrize("dockerfile", [
    "FROM layerlab/busybox\nWORKDIR /app\nCOPY info.txt .\n",
    "FROM layerlab/busybox\nWORKDIR /app\nCOPY info.txt .\n"
    "RUN cat info.txt && cp info.txt /tmp/x && cp /tmp/x info.txt\n",
], ids=["copied", "copied-then-rewritten-with-the-same-bytes"])
def test_a_file_copied_from_the_context_is_not_written_by_a_run(real_engine, dockerfile):
    result = graded(real_engine, [WRITTEN_BY_RUN], dockerfile, **{"info.txt": b"built\n"})
    assert not result.passed
    assert "was written by step 3 (COPY info.txt .); expected a step matching" in result.message["en"]
    assert "是由第 3 步" in result.message["zh-hans"]


FROM_BUILD_STAGE = {"type": "layer", "path": "/hello", "from_stage": {
    "stage": "build", "path": "/out/hello", "created_by": {"matches": "^RUN "}}}
BUILD_STAGE = "FROM layerlab/busybox AS build\nRUN mkdir /out && echo made > /out/hello\n"


@pytest.mark.parametrize("final", [
    "FROM layerlab/busybox\nCOPY --from=build /out/hello /hello\n",
    "FROM scratch\nCOPY --from=0 /out/hello /hello\n",
], ids=["by-name", "by-number-on-scratch"])
def test_a_file_copied_from_the_stage_that_made_it_passes(real_engine, final):
    result = graded(real_engine, [FROM_BUILD_STAGE], BUILD_STAGE + final)
    assert result.passed, result.message["en"]


@pytest.mark.parametrize(("dockerfile", "reason"), [
    ("FROM layerlab/busybox AS build\nFROM layerlab/busybox\nCOPY --from=build /etc/passwd /hello\n",
     "In stage \"build\": /out/hello is not a file of the image"),
    (BUILD_STAGE + "FROM layerlab/busybox\nCOPY hello /hello\n", "not copied from stage \"build\" with COPY --from"),
    ("FROM layerlab/busybox AS build\nCOPY hello /out/hello\n"
     "FROM layerlab/busybox\nCOPY --from=build /out/hello /hello\n",
     "In stage \"build\", /out/hello was written by step 2 (COPY hello /out/hello); expected a step matching"),
], ids=["first-stage-builds-nothing", "built-then-ignored", "copied-into-the-stage"])
def test_stage_facts_refuse_a_build_that_only_counts_right_in_the_text(real_engine, dockerfile, reason):
    result = graded(real_engine, [FROM_BUILD_STAGE], dockerfile, hello=b"made\n")
    assert not result.passed
    assert reason in result.message["en"], result.message["en"]
