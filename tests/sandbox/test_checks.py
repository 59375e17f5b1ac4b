"""Every check type judged over hand-made facts: no Docker, no database.

Each check is made the way an exercise makes it, through `parse_check` and a YAML-like mapping, and its verdict must
say what was expected and what was found in both languages.
"""
import pytest

from engine.dockerfile import parse
from engine.facts import (
    BuildResult,
    ImageFacts,
    LayerEntry,
    LayerFacts,
    LayerListing,
    PathFact,
    ProcessResult,
    RepositoryFacts,
    RunResult,
    StepRecord,
    StopResult,
)
from engine.limits import MB
from engine.outcomes import OK_BUILD, OK_RUN, Outcome, OutcomeKind
from grading.checks import CHECK_TYPES, Facts, LintFinding, Need, SpecError, Verdict, parse_check
from tests.sandbox.examples import GO_MULTI_STAGE

BASE_LAYER = "sha256:" + "b" * 64
BASE = ImageFacts(
    id="sha256:base", cmd=["sh"], entrypoint=None, working_dir="", env={"PATH": "/usr/bin:/bin"}, user="",
    exposed_ports=(), labels={}, history=(), layers=(LayerFacts(BASE_LAYER, 50 * MB, "ADD rootfs.tar /"),),
    size=50 * MB,
)
GO_PATHS = ("/usr/bin/go", "/usr/lib/go", "/usr/lib/go-1.19", "/usr/local/go")
SINGLE_STAGE = 'FROM layerlab/python\nWORKDIR /app\nCOPY app.py .\nCMD ["python3", "app.py"]\n'


def image(**changes) -> ImageFacts:
    values = {
        "id": "sha256:attempt", "cmd": ["python3", "app.py"], "entrypoint": None, "working_dir": "/app",
        "env": {"PATH": "/usr/bin:/bin"}, "user": "", "exposed_ports": (), "labels": {}, "history": (),
        "layers": (*BASE.layers, LayerFacts("sha256:l1", 0, "WORKDIR /app"), LayerFacts("sha256:l2", 30, "COPY")),
        "size": 50 * MB + 30,
    }
    return ImageFacts(**{**values, **changes})


def facts(**changes) -> Facts:
    values = {"build": BuildResult(OK_BUILD, image="layerlab-attempt:x"), "image": image(), "base": BASE,
              "dockerfile": parse(SINGLE_STAGE)}
    return Facts(**{**values, **changes})


def check(**options):
    return parse_check("checks[0]", {"id": "the-check", **options})


def in_both(verdict: Verdict, *fragments: str) -> None:
    for language in ("en", "zh-hans"):
        for fragment in fragments:
            assert fragment in verdict.message[language], (language, fragment, verdict.message[language])


def says(verdict: Verdict, en: str | tuple = (), zh: str | tuple = ()) -> None:
    for language, fragments in (("en", en), ("zh-hans", zh)):
        for fragment in (fragments,) if isinstance(fragments, str) else fragments:
            assert fragment in verdict.message[language], (language, fragment, verdict.message[language])


def spec_error(**options) -> SpecError:
    with pytest.raises(SpecError) as raised:
        check(**options)
    return raised.value


def test_it_covers_every_registered_check_type():
    assert set(CHECK_TYPES) == {"build", "config", "form", "layers", "size", "file", "no_layer_file",
                                "no_toolchain", "run", "stop", "process", "cache", "layer", "stages", "hadolint",
                                "registry"}


# ------------------------------------------------------------------------------------------------ common options


def test_a_check_has_one_point_is_required_and_has_no_hint_by_default():
    made = check(type="build")
    assert (made.id, made.points, made.required, made.hint) == ("the-check", 1, True, None)


def test_a_hint_unlocks_after_zero_failed_attempts_unless_told():
    made = check(type="build", points=0, required=False, hint={"en": "Look again.", "zh-hans": "再看看。"})
    assert (made.points, made.required) == (0, False)
    assert made.hint == {"after": 0, "en": "Look again.", "zh-hans": "再看看。"}


def test_a_hint_keeps_its_after():
    made = check(type="build", hint={"after": 2, "en": "Look again.", "zh-hans": "再看看。"})
    assert made.hint["after"] == 2


# ------------------------------------------------------------------------------------------------------- build


def test_a_build_check_passes_when_the_image_builds():
    verdict = check(type="build").judge(facts())
    assert verdict.passed
    says(verdict, en="The image builds.", zh="镜像构建成功。")


def test_a_build_check_fails_with_the_build_error():
    error = Outcome(OutcomeKind.BUILD_ERROR, "build", {"step": 2, "line": 2, "instruction": "RUN exit 4",
                                                       "reason": "returned a non-zero code: 4"})
    verdict = check(type="build").judge(Facts(build=BuildResult(error)))
    assert not verdict.passed
    in_both(verdict, "RUN exit 4", "returned a non-zero code: 4")
    says(verdict, en="The build failed at step 2 (Dockerfile line 2",
         zh="构建在第 2 步失败（Dockerfile 第 2 行")


# ------------------------------------------------------------------------------------------------------ config


def test_a_config_check_passes_on_an_equal_working_dir():
    verdict = check(type="config", field="WorkingDir", equals="/app").judge(facts())
    assert verdict.passed
    says(verdict, en='WorkingDir is "/app".', zh='WorkingDir 为 "/app"。')


def test_a_config_check_fails_on_another_working_dir_saying_both():
    verdict = check(type="config", field="WorkingDir", equals="/app").judge(facts(image=image(working_dir="/")))
    assert not verdict.passed
    says(verdict, en='WorkingDir is "/"; expected "/app".', zh='WorkingDir 为 "/"；期望 "/app"。')


def test_a_config_check_takes_an_empty_equals_as_unset():
    verdict = check(type="config", field="User", equals="").judge(facts(image=image(user="")))
    assert verdict.passed


def test_a_config_check_compares_a_cmd_as_a_list():
    made = check(type="config", field="Cmd", equals=["world"])
    assert made.judge(facts(image=image(cmd=["world"]))).passed
    verdict = made.judge(facts(image=image(cmd=["greet.sh", "world"])))
    assert not verdict.passed
    says(verdict, en='Cmd is ["greet.sh", "world"]; expected ["world"].',
         zh='Cmd 为 ["greet.sh", "world"]；期望 ["world"]。')


def test_a_config_check_with_equals_null_passes_on_an_unset_entrypoint():
    # The equality branch treats None and "" as the same, so `equals: null` means "not set".
    verdict = check(type="config", field="Entrypoint", equals=None).judge(facts(image=image(entrypoint=None)))
    assert verdict.passed, verdict.message["en"]


def test_a_config_check_finds_an_env_variable_among_others():
    env = {"PATH": "/usr/bin", "APP_ENV": "production"}
    verdict = check(type="config", field="Env", contains={"APP_ENV": "production"}).judge(facts(image=image(env=env)))
    assert verdict.passed
    in_both(verdict, '"APP_ENV": "production"')


def test_a_config_check_fails_on_an_env_variable_with_another_value():
    env = {"PATH": "/usr/bin", "APP_ENV": "dev"}
    verdict = check(type="config", field="Env", contains={"APP_ENV": "production"}).judge(facts(image=image(env=env)))
    assert not verdict.passed
    says(verdict, en='Env is {"PATH": "/usr/bin", "APP_ENV": "dev"}; expected to contain {"APP_ENV": "production"}.',
         zh='Env 为 {"PATH": "/usr/bin", "APP_ENV": "dev"}；期望 包含 {"APP_ENV": "production"}。')


def test_a_config_check_compares_contained_env_values_as_text():
    verdict = check(type="config", field="Env", contains={"PORT": 8080}).judge(facts(image=image(env={"PORT": "8080"})))
    assert verdict.passed


def test_a_config_check_finds_a_label():
    labels = {"org.opencontainers.image.title": "greeter", "maintainer": "me"}
    made = check(type="config", field="Labels", contains={"org.opencontainers.image.title": "greeter"})
    assert made.judge(facts(image=image(labels=labels))).passed


def test_a_config_check_fails_on_a_missing_label():
    verdict = check(type="config", field="Labels", contains={"maintainer": "me"}).judge(facts(image=image(labels={})))
    assert not verdict.passed
    says(verdict, en='Labels is {}; expected to contain {"maintainer": "me"}.',
         zh='Labels 为 {}；期望 包含 {"maintainer": "me"}。')


def test_a_config_check_finds_an_exposed_port():
    made = check(type="config", field="ExposedPorts", contains="8080/tcp")
    assert made.judge(facts(image=image(exposed_ports=("443/tcp", "8080/tcp")))).passed


def test_a_config_check_finds_several_exposed_ports_given_as_a_list():
    made = check(type="config", field="ExposedPorts", contains=["8080/tcp", "443/tcp"])
    assert made.judge(facts(image=image(exposed_ports=("443/tcp", "8080/tcp")))).passed
    assert not made.judge(facts(image=image(exposed_ports=("8080/tcp",)))).passed


def test_a_config_check_fails_on_another_exposed_port():
    verdict = check(type="config", field="ExposedPorts", contains="8080/tcp").judge(
        facts(image=image(exposed_ports=("80/tcp",))))
    assert not verdict.passed
    says(verdict, en='ExposedPorts is ["80/tcp"]; expected to contain "8080/tcp".',
         zh='ExposedPorts 为 ["80/tcp"]；期望 包含 "8080/tcp"。')


# -------------------------------------------------------------------------------------------------------- form


def test_a_form_check_passes_on_an_exec_form_cmd():
    verdict = check(type="form", field="Cmd", form="exec").judge(facts())
    assert verdict.passed
    says(verdict, en='CMD is in exec form: ["python3", "app.py"].',
         zh='CMD 是 exec 形式：["python3", "app.py"]。')


def test_a_form_check_detects_a_shell_form_cmd():
    argv = ["/bin/sh", "-c", "python3 app.py"]
    verdict = check(type="form", field="Cmd", form="exec").judge(facts(image=image(cmd=argv)))
    assert not verdict.passed
    says(verdict, en='CMD is in shell form: ["/bin/sh", "-c", "python3 app.py"]; expected exec form.',
         zh='CMD 是 shell 形式：["/bin/sh", "-c", "python3 app.py"]；期望 exec 形式。')


def test_a_form_check_fails_a_cmd_inherited_from_the_base_image():
    # The starter writes no CMD: the image keeps the base's, which is in exec form but not the learner's.
    inherited = facts(image=image(cmd=["sh"]), dockerfile=parse("FROM layerlab/python\nWORKDIR /app\n"))
    verdict = check(type="form", field="Cmd", form="exec").judge(inherited)
    assert not verdict.passed
    says(verdict, en='There is no CMD of your own: ["sh"] is the base image\'s; write one in exec form.',
         zh='你没有写自己的 CMD：["sh"] 来自基础镜像；请写一个 exec 形式的 CMD。')


def test_a_form_check_passes_a_cmd_of_ones_own_equal_to_the_base_images():
    own = facts(image=image(cmd=["sh"]), dockerfile=parse('FROM layerlab/python AS app\nFROM app\nCMD ["sh"]\n'))
    assert check(type="form", field="Cmd", form="exec").judge(own).passed
    in_an_earlier_stage = facts(image=image(cmd=["sh"]),
                                dockerfile=parse('FROM layerlab/python AS app\nCMD ["sh"]\nFROM app\n'))
    assert check(type="form", field="Cmd", form="exec").judge(in_an_earlier_stage).passed


def test_a_form_check_counts_sh_dash_c_as_shell_form():
    verdict = check(type="form", field="Cmd", form="shell").judge(facts(image=image(cmd=["sh", "-c", "echo hi"])))
    assert verdict.passed
    in_both(verdict, "shell", '["sh", "-c", "echo hi"]')


def test_a_form_check_counts_a_shell_running_a_script_as_exec_form():
    verdict = check(type="form", field="Cmd", form="exec").judge(facts(image=image(cmd=["/bin/sh", "start.sh"])))
    assert verdict.passed


def test_a_form_check_detects_a_shell_form_entrypoint():
    argv = ["/bin/sh", "-c", "greet.sh"]
    verdict = check(type="form", field="Entrypoint", form="exec").judge(facts(image=image(entrypoint=argv)))
    assert not verdict.passed
    in_both(verdict, "ENTRYPOINT", "shell", '["/bin/sh", "-c", "greet.sh"]')


def test_a_form_check_fails_when_there_is_no_entrypoint():
    verdict = check(type="form", field="Entrypoint", form="exec").judge(facts(image=image(entrypoint=None)))
    assert not verdict.passed
    says(verdict, en="There is no ENTRYPOINT; expected one in exec form.",
         zh="没有 ENTRYPOINT；期望一个 exec 形式的 ENTRYPOINT。")


def test_a_form_check_looks_at_cmd_by_default():
    assert check(type="form", form="exec").field == "Cmd"


# ------------------------------------------------------------------------------------------------------ layers


def test_a_layers_check_counts_layers_added_on_top_of_the_base():
    verdict = check(type="layers", min_added=1, max_added=2).judge(facts())
    assert verdict.passed
    says(verdict, en="2 filesystem layer(s) on top of the base (between 1 and 2).",
         zh="在基础镜像之上有 2 个文件系统层（在 1 到 2 之间）。")


def test_a_layers_check_fails_on_too_many_layers():
    verdict = check(type="layers", max_added=1).judge(facts())
    assert not verdict.passed
    says(verdict, en="2 filesystem layer(s) on top of the base; expected at most 1.",
         zh="在基础镜像之上有 2 个文件系统层；期望不超过 1。")


def test_a_layers_check_fails_on_too_few_layers():
    verdict = check(type="layers", min_added=3).judge(facts())
    assert not verdict.passed
    says(verdict, en="expected at least 3", zh="期望至少 3")


def test_a_layers_check_counts_every_layer_on_scratch():
    scratch = image(layers=(LayerFacts("sha256:bin", 1_500_000, "COPY"),), size=1_500_000)
    verdict = check(type="layers", max_added=1).judge(facts(image=scratch, base=None))
    assert verdict.passed
    in_both(verdict, "1")


# -------------------------------------------------------------------------------------------------------- size


def test_a_size_check_passes_under_max_mb_in_megabytes_of_1024_squared():
    verdict = check(type="size", max_mb=10).judge(facts(image=image(size=10 * MB), base=None))
    assert verdict.passed
    says(verdict, en="The image is 10.0 MB", zh="镜像大小为 10.0 MB")


def test_a_size_check_fails_over_max_mb():
    verdict = check(type="size", max_mb=10).judge(facts(image=image(size=round(12.3 * MB))))
    assert not verdict.passed
    says(verdict, en="The image is 12.3 MB; expected at most 10 MB.",
         zh="镜像大小为 12.3 MB；期望不超过 10 MB。")


def test_a_size_check_measures_growth_over_the_base():
    verdict = check(type="size", max_over_base_mb=1).judge(facts(image=image(size=71 * MB)))
    assert not verdict.passed
    says(verdict, en="The image is 21.0 MB larger than its base; expected at most 1 MB more.",
         zh="镜像比基础镜像大 21.0 MB；期望最多大 1 MB。")


def test_a_size_check_passes_on_small_growth_over_the_base():
    verdict = check(type="size", max_over_base_mb=1).judge(facts(image=image(size=round(50.4 * MB))))
    assert verdict.passed
    says(verdict, en="The image is 50.4 MB (+0.4 MB over its base).",
         zh="镜像大小为 50.4 MB（比基础镜像 +0.4 MB）。")


def test_a_size_check_counts_the_whole_image_as_growth_on_scratch():
    verdict = check(type="size", max_over_base_mb=1).judge(facts(image=image(size=2 * MB), base=None))
    assert not verdict.passed
    in_both(verdict, "2.0 MB")


# -------------------------------------------------------------------------------------------------------- file


def file_facts(fact: PathFact) -> Facts:
    return facts(paths={fact.path: fact})


def test_a_file_check_needs_its_path():
    assert check(type="file", path="/app/app.py").needs() == [Need("paths", "/app/app.py")]


def test_a_file_check_fails_on_a_missing_file():
    verdict = check(type="file", path="/app/app.py").judge(file_facts(PathFact("/app/app.py", exists=False)))
    assert not verdict.passed
    says(verdict, en="/app/app.py is not in the image; expected it to be there.",
         zh="镜像中没有 /app/app.py；期望它存在。")


def test_a_file_check_passes_on_a_present_file():
    verdict = check(type="file", path="/app/app.py").judge(file_facts(PathFact("/app/app.py", True, content=b"x")))
    assert verdict.passed
    says(verdict, en="/app/app.py is in the image.", zh="镜像中有 /app/app.py。")


def test_a_file_check_with_exists_false_fails_on_a_present_file():
    verdict = check(type="file", path="/app/work.tmp", exists=False).judge(
        file_facts(PathFact("/app/work.tmp", True, size=5)))
    assert not verdict.passed
    says(verdict, en="/app/work.tmp is in the image; expected it not to be.",
         zh="镜像中有 /app/work.tmp；期望它不存在。")


def test_a_file_check_with_exists_false_passes_on_a_missing_file():
    verdict = check(type="file", path="/app/work.tmp", exists=False).judge(file_facts(PathFact("/app/work.tmp", False)))
    assert verdict.passed
    says(verdict, en="/app/work.tmp is not in the image.", zh="镜像中没有 /app/work.tmp。")


def test_a_file_check_passes_when_the_content_contains_the_text():
    made = check(type="file", path="/app/app.py", content={"contains": "Hello from Layerlab!"})
    verdict = made.judge(file_facts(PathFact("/app/app.py", True, content=b'print("Hello from Layerlab!")\n')))
    assert verdict.passed
    says(verdict, en='holds text containing "Hello from Layerlab!"',
         zh='的内容包含 "Hello from Layerlab!"')


def test_a_file_check_shows_the_content_it_found():
    made = check(type="file", path="/opt/deps/installed", content={"contains": "installed logger"})
    verdict = made.judge(file_facts(PathFact("/opt/deps/installed", True, content=b"installed json-parser\n")))
    assert not verdict.passed
    says(verdict, en='/opt/deps/installed holds "installed json-parser"; expected text containing "installed logger".',
         zh='/opt/deps/installed 的内容是 "installed json-parser"；期望内容包含 "installed logger"。')


def test_a_file_check_takes_a_plain_string_as_equals_ignoring_the_final_newline():
    made = check(type="file", path="/app/build-info.txt", content="built at build time")
    assert made.content.kind == "equals"
    assert made.judge(file_facts(PathFact("/app/build-info.txt", True, content=b"built at build time\n"))).passed
    verdict = made.judge(file_facts(PathFact("/app/build-info.txt", True, content=b"built at build time, twice\n")))
    assert not verdict.passed
    says(verdict, en='expected text exactly "built at build time"',
         zh='期望内容恰好为 "built at build time"')


def test_a_file_check_matches_a_regular_expression_per_line():
    made = check(type="file", path="/VERSION", content={"matches": r"^go1\.19"})
    assert made.judge(file_facts(PathFact("/VERSION", True, content=b"toolchain\ngo1.19.8\n"))).passed
    verdict = made.judge(file_facts(PathFact("/VERSION", True, content=b"go1.21.0\n")))
    assert not verdict.passed
    says(verdict, en=('"go1.21.0"', r'matching "^go1\\.19"'),
         zh=('"go1.21.0"', r'匹配 "^go1\\.19"'))


def test_a_file_check_clips_long_content_in_its_message():
    made = check(type="file", path="/big.txt", content={"contains": "needle"})
    verdict = made.judge(file_facts(PathFact("/big.txt", True, content=b"x" * 500)))
    assert not verdict.passed
    in_both(verdict, '"' + "x" * 200 + '…"')
    assert "x" * 201 not in verdict.message["en"]


# ----------------------------------------------------------------------------------------------- no_layer_file


def listing(diff_id: str, created_by: str, *entries: LayerEntry) -> LayerListing:
    return LayerListing(diff_id, created_by, entries)


BASE_LISTING = listing(BASE_LAYER, "ADD rootfs.tar /", LayerEntry("bin/sh", 1_000_000), LayerEntry("etc/old.tmp", 10))
DD_STEP = "/bin/sh -c dd if=/dev/zero of=/app/work.tmp bs=1000000 count=20"
RM_STEP = "/bin/sh -c rm /app/work.tmp"


def layer_facts(*learner: LayerListing) -> Facts:
    return facts(layers=[BASE_LISTING, *learner])


def test_a_no_layer_file_check_needs_the_layers():
    assert check(type="no_layer_file", patterns=["*.tmp"]).needs() == [Need("layers")]


def test_a_no_layer_file_check_finds_a_file_deleted_in_a_later_step():
    layers = layer_facts(listing("sha256:l1", DD_STEP, LayerEntry("app/work.tmp", 20 * MB)),
                         listing("sha256:l2", RM_STEP, LayerEntry("app/work.tmp", 0, whiteout=True)))
    verdict = check(type="no_layer_file", patterns=["*.tmp"]).judge(layers)
    assert not verdict.passed
    says(verdict,
         en="/app/work.tmp (20.0 MB) is stored in the layer made by RUN dd if=/dev/zero of=/app/work.tmp bs=1000000 "
            "count=20; deleting it in a later step does not remove it from that layer.",
         zh="/app/work.tmp（20.0 MB）保存在由 RUN dd if=/dev/zero of=/app/work.tmp bs=1000000 count=20 生成的层中；"
            "在之后的步骤里删除它，并不能把它从那一层中去掉。")


def test_a_no_layer_file_check_says_nothing_of_a_deletion_that_did_not_happen():
    layers = layer_facts(listing("sha256:l1", DD_STEP, LayerEntry("app/work.tmp", 20 * MB)))
    verdict = check(type="no_layer_file", patterns=["*.tmp"]).judge(layers)
    assert not verdict.passed
    says(verdict,
         en="/app/work.tmp (20.0 MB) is stored in the layer made by RUN dd if=/dev/zero of=/app/work.tmp bs=1000000 "
            "count=20, and the image keeps it.",
         zh="/app/work.tmp（20.0 MB）保存在由 RUN dd if=/dev/zero of=/app/work.tmp bs=1000000 count=20 生成的层中，"
            "镜像一直带着它。")


def test_a_no_layer_file_check_ignores_whiteouts_and_the_base_layers():
    deletion = LayerEntry("etc/old.tmp", 0, whiteout=True)
    layers = layer_facts(listing("sha256:l1", "/bin/sh -c rm /etc/old.tmp", deletion))
    verdict = check(type="no_layer_file", patterns=["*.tmp"]).judge(layers)
    assert verdict.passed
    says(verdict, en="No layer you added carries such a file.", zh="你添加的任何一层都不包含这样的文件。")


def test_a_no_layer_file_check_passes_when_the_file_never_reached_a_layer():
    one_step = "/bin/sh -c dd of=/app/work.tmp && wc -c < /app/work.tmp > /app/size && rm /app/work.tmp"
    layers = layer_facts(listing("sha256:l1", one_step, LayerEntry("app/size", 9)))
    assert check(type="no_layer_file", patterns=["*.tmp"]).judge(layers).passed


def test_a_no_layer_file_check_names_a_copy_step_without_the_nop_prefix():
    layers = layer_facts(listing("sha256:l1", "/bin/sh -c #(nop) COPY file:abc in /app/ ", LayerEntry("app/a.tmp", 5)))
    verdict = check(type="no_layer_file", patterns=["*.tmp"]).judge(layers)
    assert not verdict.passed
    in_both(verdict, "/app/a.tmp", "COPY file:abc in /app/")
    assert "#(nop)" not in verdict.message["en"]


def test_a_no_layer_file_check_matches_a_pattern_against_the_full_path():
    layers = layer_facts(listing("sha256:l1", DD_STEP, LayerEntry("tmp/big", 10), LayerEntry("app/big", 10)))
    verdict = check(type="no_layer_file", patterns=["/tmp/big"]).judge(layers)
    assert not verdict.passed
    in_both(verdict, "/tmp/big")
    assert "/app/big" not in verdict.message["en"]


def test_a_no_layer_file_check_finds_a_file_larger_than_a_size():
    layers = layer_facts(listing("sha256:l1", DD_STEP, LayerEntry("app/small", 100),
                                 LayerEntry("opt/blob.bin", 3 * MB)))
    verdict = check(type="no_layer_file", larger_than_mb=1).judge(layers)
    assert not verdict.passed
    in_both(verdict, "/opt/blob.bin", "3.0 MB")


def test_a_no_layer_file_check_passes_when_every_added_file_is_small():
    layers = layer_facts(listing("sha256:l1", DD_STEP, LayerEntry("app/small", 500_000)))
    assert check(type="no_layer_file", larger_than_mb=1).judge(layers).passed


def test_a_no_layer_file_check_on_scratch_judges_every_layer():
    layers = [listing("sha256:l1", "/bin/sh -c #(nop) COPY file:x in /app ", LayerEntry("app", 2 * MB))]
    verdict = check(type="no_layer_file", larger_than_mb=1).judge(facts(base=None, layers=layers))
    assert not verdict.passed


# ------------------------------------------------------------------------------------------------ no_toolchain


def toolchain_facts(present: tuple[str, ...] = (), *learner: LayerListing) -> Facts:
    paths = {path: PathFact(path, path in present, is_dir=path != "/usr/bin/go") for path in GO_PATHS}
    binary = listing("sha256:bin", "/bin/sh -c #(nop) COPY dir:abc in /tiny ", LayerEntry("tiny", 1_800_000))
    return facts(base=None, paths=paths, layers=[binary, *learner])


def test_a_no_toolchain_check_needs_the_toolchain_paths_and_the_layers():
    needs = check(type="no_toolchain").needs()
    assert [need.key for need in needs if need.kind == "paths"] == list(GO_PATHS)
    assert Need("layers") in needs


def test_a_no_toolchain_check_fails_when_go_is_in_the_final_image():
    verdict = check(type="no_toolchain", toolchain="go").judge(toolchain_facts(("/usr/bin/go", "/usr/lib/go")))
    assert not verdict.passed
    says(verdict, en="The final image still has the go toolchain (/usr/bin/go)",
         zh="最终镜像中仍有 go 工具链（/usr/bin/go）")


def test_a_no_toolchain_check_fails_on_go_sources_in_a_learner_layer():
    sources = listing("sha256:src", "/bin/sh -c #(nop) COPY dir:def in /src ", LayerEntry("src/main.go", 2_000))
    verdict = check(type="no_toolchain").judge(toolchain_facts((), sources))
    assert not verdict.passed
    says(verdict, en=("The final image carries source files: ", "/src/main.go"),
         zh=("最终镜像中带有源代码文件：", "/src/main.go"))


def test_a_no_toolchain_check_fails_on_a_go_mod_in_a_learner_layer():
    sources = listing("sha256:src", "/bin/sh -c #(nop) COPY dir:def in /src ", LayerEntry("src/go.mod", 30))
    verdict = check(type="no_toolchain").judge(toolchain_facts((), sources))
    assert not verdict.passed
    in_both(verdict, "/src/go.mod")


def test_a_no_toolchain_check_passes_on_a_lone_binary():
    verdict = check(type="no_toolchain").judge(toolchain_facts())
    assert verdict.passed
    says(verdict, en="No go toolchain and no sources in the final image.",
         zh="最终镜像中没有 go 工具链，也没有源代码。")


# --------------------------------------------------------------------------------------------------------- run


def run_facts(made, result: RunResult) -> Facts:
    return facts(runs={made.key(): result})


def test_a_run_check_needs_a_run_keyed_by_its_args_and_env():
    made = check(type="run", args=["Alice"], env={"GREETING": "Hi", "A": 1}, stdout="Hi, Alice!")
    assert made.key() == (("Alice",), (("A", "1"), ("GREETING", "Hi")))
    assert made.needs() == [Need("run", made.key(), made)]
    assert check(type="run", stdout="x").key() == (None, ())


def test_a_run_check_passes_on_the_expected_stdout():
    made = check(type="run", args=["Alice"], stdout={"equals": "Hello, Alice!"})
    verdict = made.judge(run_facts(made, RunResult(OK_RUN, exit_code=0, stdout="Hello, Alice!\n")))
    assert verdict.passed
    says(verdict, en='`docker run <image> Alice` printed "Hello, Alice!".',
         zh='`docker run <image> Alice` 输出了 "Hello, Alice!"。')


def test_a_run_check_fails_on_other_stdout_saying_both():
    made = check(type="run", args=["Alice"], stdout={"equals": "Hello, Alice!"})
    verdict = made.judge(run_facts(made, RunResult(OK_RUN, exit_code=0, stdout="Hello, world!\n")))
    assert not verdict.passed
    says(verdict,
         en='`docker run <image> Alice` printed "Hello, world!" on stdout; expected stdout exactly "Hello, Alice!".',
         zh='`docker run <image> Alice` 在 stdout 上输出了 "Hello, world!"；期望 stdout 恰好为 "Hello, Alice!"。')


def test_a_run_check_also_shows_the_other_stream_when_stdout_is_wrong():
    made = check(type="run", stdout="app ready with 3 dependencies")
    result = RunResult(OK_RUN, exit_code=1, stdout="", stderr="sh: can't open '/opt/deps/installed'\n")
    verdict = made.judge(run_facts(made, result))
    assert not verdict.passed
    says(verdict, en=('printed "" on stdout', "(and on stderr: \"sh: can't open '/opt/deps/installed'\")"),
         zh=('在 stdout 上输出了 ""', "（另一输出流：\"sh: can't open '/opt/deps/installed'\"）"))


def test_a_run_check_judges_stderr():
    made = check(type="run", stderr={"contains": "warning"})
    assert made.judge(run_facts(made, RunResult(OK_RUN, exit_code=0, stderr="a warning\n"))).passed
    verdict = made.judge(run_facts(made, RunResult(OK_RUN, exit_code=0, stdout="all good\n", stderr="")))
    assert not verdict.passed
    says(verdict, en=('printed "" on stderr', '(and on stdout: "all good")', 'expected stderr containing "warning"'),
         zh=('在 stderr 上输出了 ""', '期望 stderr 包含 "warning"'))


def test_a_run_check_matches_stdout_against_a_regular_expression():
    made = check(type="run", stdout={"matches": r"^Hello from a tiny image! \(built with go1\.19"})
    result = RunResult(OK_RUN, exit_code=0, stdout="Hello from a tiny image! (built with go1.19.8)\n")
    assert made.judge(run_facts(made, result)).passed


def test_a_run_check_fails_on_another_exit_code():
    made = check(type="run", exit_code=0)
    verdict = made.judge(run_facts(made, RunResult(OK_RUN, exit_code=1)))
    assert not verdict.passed
    says(verdict, en="`docker run <image>` exited with code 1; expected 0.",
         zh="`docker run <image>` 的退出码为 1；期望 0。")


def test_a_run_check_passes_on_the_expected_exit_code():
    made = check(type="run", args=["--fail"], exit_code=3)
    assert made.judge(run_facts(made, RunResult(OK_RUN, exit_code=3))).passed


def test_a_run_check_fails_with_the_outcome_of_a_run_that_was_stopped():
    made = check(type="run", stdout="done")
    stopped = RunResult(Outcome(OutcomeKind.TIME_LIMIT, "run", {"limit_s": 5}), timed_out=True, stdout="done\n")
    verdict = made.judge(run_facts(made, stopped))
    assert not verdict.passed
    says(verdict, en="`docker run <image>`: The container took longer than the 5 s allowed",
         zh="`docker run <image>`：容器超过了允许的 5 秒")


# -------------------------------------------------------------------------------------------------------- stop


def stop_facts(made, result: StopResult) -> Facts:
    return facts(stops={made.key(): result})


def test_a_stop_check_waits_within_s_plus_two_seconds():
    made = check(type="stop", within_s=2, prints="bye")
    assert made.grace == 4
    assert made.needs() == [Need("stop", (None, None), made)]
    assert check(type="stop", args=["serve"], within_s=1, ready="up").key() == (("serve",), "up")


def test_a_stop_check_fails_on_a_container_killed_after_the_grace_period():
    made = check(type="stop", within_s=2, prints="bye")
    verdict = made.judge(stop_facts(made, StopResult(seconds=4.0, killed=True, exit_code=137, output="serving\n")))
    assert not verdict.passed
    says(verdict, en="`docker stop` took 4.0 s and was killed after the grace period; expected at most 2 s.",
         zh="`docker stop` 用了 4.0 秒，并在宽限期后被强制终止；期望不超过 2 秒。")


def test_a_stop_check_fails_on_a_slow_stop_without_saying_killed():
    made = check(type="stop", within_s=1)
    verdict = made.judge(stop_facts(made, StopResult(seconds=2.5, killed=False, exit_code=0, output="")))
    assert not verdict.passed
    says(verdict, en="`docker stop` took 2.5 s; expected at most 1 s.",
         zh="`docker stop` 用了 2.5 秒；期望不超过 1 秒。")
    assert "killed" not in verdict.message["en"]


def test_a_stop_check_fails_on_a_quick_stop_that_does_not_print():
    made = check(type="stop", within_s=2, prints="bye")
    verdict = made.judge(stop_facts(made, StopResult(seconds=0.3, killed=False, exit_code=0, output="serving\n")))
    assert not verdict.passed
    says(verdict, en='The container stopped in 0.3 s but did not print "bye"; it printed "serving".',
         zh='容器在 0.3 秒内停止，但没有输出 "bye"；实际输出 "serving"。')


def test_a_stop_check_passes_on_a_quick_stop_that_prints():
    made = check(type="stop", within_s=2, prints="bye")
    verdict = made.judge(stop_facts(made, StopResult(seconds=0.25, killed=False, exit_code=0, output="serving\nbye\n")))
    assert verdict.passed
    says(verdict, en="`docker stop` took 0.25 s.", zh="`docker stop` 用了 0.25 秒。")


def test_a_stop_check_with_a_number_for_prints_does_not_crash_grading():
    # YAML reads `prints: 42` as a number; either parse_check refuses it or judge compares it as text.
    try:
        made = check(type="stop", within_s=2, prints=42)
    except SpecError as error:
        assert error.key == "checks[0].prints"
        return
    verdict = made.judge(stop_facts(made, StopResult(seconds=0.2, killed=False, exit_code=0, output="bye 42\n")))
    assert verdict.passed


def test_a_stop_check_refuses_a_container_that_exited_before_the_stop():
    made = check(type="stop", within_s=2, ready="ready", prints="bye")
    early = StopResult(seconds=0.0, killed=False, exit_code=0, output="bye\n", exited_early=True, ready_seen=False)
    verdict = made.judge(stop_facts(made, early))
    assert not verdict.passed
    says(verdict, en='exited by itself before `docker stop` was sent, so it cannot show that it handles SIGTERM; it '
                     'printed "bye".', zh="容器在发送 `docker stop`之前就自己退出了")


def test_a_stop_check_refuses_a_container_that_never_said_ready():
    made = check(type="stop", within_s=2, ready="listening")
    result = StopResult(seconds=0.1, killed=False, exit_code=0, output="starting\n", ready_seen=False)
    says(made.judge(stop_facts(made, result)), en='The container never printed "listening" while it ran',
         zh='容器运行期间始终没有输出 "listening"')


def test_a_stop_check_wants_the_exit_code_it_names():
    made = check(type="stop", within_s=2)
    verdict = made.judge(stop_facts(made, StopResult(seconds=0.1, killed=False, exit_code=143, output="")))
    says(verdict, en="exited with code 143; expected 0.", zh="退出码为 143；期望 0。")
    assert check(type="stop", within_s=2, exit_code=143).judge(
        stop_facts(made, StopResult(seconds=0.1, killed=False, exit_code=143, output=""))).passed


# ------------------------------------------------------------------------------------------------------ process


def test_a_process_check_judges_pid1s_executable_and_argv():
    made = check(type="process", executable={"matches": "/python3(\\.\\d+)*$"}, argv={"contains": "server.py"})

    def facts_of(result: ProcessResult) -> Facts:
        return facts(processes={made.key(): result})

    assert made.judge(facts_of(ProcessResult(("python3", "server.py"), "/usr/bin/python3.11"))).passed
    verdict = made.judge(facts_of(ProcessResult(("sh", "-c", "python3 server.py"), "/usr/bin/dash")))
    says(verdict, en='PID 1 is "/usr/bin/dash" running "sh -c python3 server.py"; expected its executable matching',
         zh='PID 1 是 "/usr/bin/dash"，命令行为 "sh -c python3 server.py"；期望它的可执行文件匹配')
    gone = made.judge(facts_of(ProcessResult(output="bye\n", exited_early=True)))
    says(gone, en="exited by itself before its main process was read", zh="读取它的主进程之前就自己退出了")


# ------------------------------------------------------------------------------------------------------- cache


def step(number: int, instruction: str, cached: bool) -> StepRecord:
    return StepRecord(number, instruction, number, cached, 0.0 if cached else 1.0)


GOOD_ORDER = (step(1, "FROM layerlab/busybox", False), step(2, "WORKDIR /app", True),
              step(3, "COPY install-deps.sh deps.txt ./", True), step(4, "RUN sh install-deps.sh deps.txt", True),
              step(5, "COPY app.sh .", False), step(6, 'CMD ["sh", "app.sh"]', False))
COPY_ALL_FIRST = (step(1, "FROM layerlab/busybox", False), step(2, "WORKDIR /app", True),
                  step(3, "COPY . .", False), step(4, "RUN sh install-deps.sh deps.txt", False),
                  step(5, 'CMD ["sh", "app.sh"]', False))
APP_CHANGE = {"app.sh": "#!/bin/sh\necho v2\n"}


def cache_facts(made, steps=(), outcome: Outcome = OK_BUILD) -> Facts:
    return facts(rebuilds={made.key(): BuildResult(outcome, steps=tuple(steps))})


def test_a_cache_check_needs_a_rebuild_keyed_by_its_change():
    made = check(type="cache", change={"b.txt": "2", "a.txt": "1"}, cached=["^RUN"])
    assert made.key() == '{"a.txt": "1", "b.txt": "2"}'
    assert made.needs() == [Need("rebuild", made.key(), {"b.txt": "2", "a.txt": "1"})]


def test_a_cache_check_passes_when_the_slow_step_comes_from_the_cache():
    made = check(type="cache", change=APP_CHANGE, cached=["^RUN .*install-deps"])
    verdict = made.judge(cache_facts(made, GOOD_ORDER))
    assert verdict.passed
    says(verdict, en="After changing app.sh, the cache was used as expected.",
         zh="修改 app.sh 之后，缓存的使用符合预期。")


def test_a_cache_check_fails_when_a_step_expected_cached_ran_again():
    made = check(type="cache", change=APP_CHANGE, cached=["^RUN .*install-deps"])
    verdict = made.judge(cache_facts(made, COPY_ALL_FIRST))
    assert not verdict.passed
    says(verdict,
         en="After changing app.sh, step 4 (RUN sh install-deps.sh deps.txt) ran again; expected it from the cache.",
         zh="修改 app.sh 之后，第 4 步（RUN sh install-deps.sh deps.txt）重新执行了；期望它命中缓存。")


def test_a_cache_check_passes_when_a_step_expected_rebuilt_ran_again():
    made = check(type="cache", change={"deps.txt": "logger\nmetrics\n"}, rebuilt=["^RUN .*install-deps"])
    assert made.judge(cache_facts(made, COPY_ALL_FIRST)).passed


def test_a_cache_check_fails_when_a_step_expected_rebuilt_came_from_the_cache():
    made = check(type="cache", change={"deps.txt": "logger\nmetrics\n"}, rebuilt=["^RUN .*install-deps"])
    verdict = made.judge(cache_facts(made, GOOD_ORDER))
    assert not verdict.passed
    says(verdict, en="After changing deps.txt, step 4 (RUN sh install-deps.sh deps.txt) came from the cache; "
                     "expected it to run again with the new file.",
         zh="修改 deps.txt 之后，第 4 步（RUN sh install-deps.sh deps.txt）来自缓存；期望它使用新文件重新执行。")


def test_a_cache_check_fails_when_no_step_matches():
    made = check(type="cache", change=APP_CHANGE, cached=["^RUN npm install"])
    verdict = made.judge(cache_facts(made, GOOD_ORDER))
    assert not verdict.passed
    says(verdict, en='No step matches "^RUN npm install".', zh='没有与 "^RUN npm install" 匹配的步骤。')


def test_a_cache_check_fails_when_the_rebuild_fails():
    made = check(type="cache", change=APP_CHANGE, cached=["^RUN .*install-deps"])
    error = Outcome(OutcomeKind.BUILD_ERROR, "build", {"step": 4, "line": 5, "instruction": "RUN sh install-deps.sh",
                                                       "reason": "returned a non-zero code: 1"})
    verdict = made.judge(cache_facts(made, outcome=error))
    assert not verdict.passed
    says(verdict, en="After changing app.sh, the build failed: The build failed at step 4 (Dockerfile line 5",
         zh="修改 app.sh 之后构建失败：构建在第 4 步失败（Dockerfile 第 5 行")


def test_a_cache_check_given_one_pattern_as_a_string_does_not_split_it_into_characters():
    # YAML `cached: install-deps` (no brackets) is a string. Either parse_check refuses it, or it is one pattern;
    # it must not become the patterns "i", "n", "s", ... that also match the COPY app.sh step, which ran again.
    try:
        made = check(type="cache", change=APP_CHANGE, cached="install-deps")
    except SpecError as error:
        assert error.key == "checks[0].cached"
        return
    verdict = made.judge(cache_facts(made, GOOD_ORDER))
    assert verdict.passed, verdict.message["en"]


def test_a_cache_check_with_an_empty_cached_is_refused_by_key():
    # YAML `cached:` with nothing after it is null.
    assert spec_error(type="cache", change=APP_CHANGE, cached=None, rebuilt=["^RUN"]).key == "checks[0].cached"


def rebuilt_image(made, first: str, second: str, runs: dict | None = None) -> Facts:
    return facts(build=BuildResult(OK_BUILD, image="layerlab-attempt:x", steps=(StepRecord(1, "FROM x", 1, False, 0,
                                                                                           first),)),
                 rebuilds={made.key(): BuildResult(OK_BUILD, steps=(StepRecord(1, "FROM x", 1, False, 0, second),))},
                 rebuild_runs={made.key(): runs or {}})


def test_a_cache_check_compares_the_image_of_the_dockerfiles_last_step():
    changed = check(type="cache", change=APP_CHANGE, image="changed")
    assert changed.judge(rebuilt_image(changed, "aaa", "bbb")).passed
    verdict = changed.judge(rebuilt_image(changed, "aaa", "aaa"))
    says(verdict, en="After changing app.sh, the rebuild made the same image as before; expected a new one",
         zh="修改 app.sh 之后，重新构建得到的镜像与之前相同")
    same = check(type="cache", change={"notes.md": "x"}, image="same")
    assert same.judge(rebuilt_image(same, "aaa", "aaa")).passed


def test_a_cache_check_runs_the_rebuilt_image():
    made = check(type="cache", change=APP_CHANGE, run={"stdout": "v2"})
    assert made.needs()[1] == Need("rebuild_run", made.key(), made.run)
    printed = {made.run.key(): RunResult(OK_RUN, exit_code=0, stdout="v1\n")}
    verdict = made.judge(rebuilt_image(made, "aaa", "bbb", printed))
    assert not verdict.passed
    says(verdict, en='After changing app.sh, the rebuilt image did not follow: `docker run <image>` printed "v1"',
         zh="修改 app.sh 之后，重新构建的镜像没有随之改变")


def test_a_layer_check_of_a_pulled_image_says_it_cannot_know():
    verdict = check(type="layer", path="/app/x", created_by={"matches": "^RUN "}).judge(facts())
    assert not verdict.passed
    says(verdict, en="known only for an image built here", zh="只有在这里构建的镜像")


# ------------------------------------------------------------------------------------------------------ stages


def test_a_stages_check_passes_on_a_multi_stage_dockerfile():
    verdict = check(type="stages", min=2).judge(facts(dockerfile=parse(GO_MULTI_STAGE)))
    assert verdict.passed
    says(verdict, en="The Dockerfile has 2 stage(s).", zh="Dockerfile 有 2 个阶段。")


def test_a_stages_check_fails_on_a_single_stage():
    verdict = check(type="stages", min=2).judge(facts(dockerfile=parse(SINGLE_STAGE)))
    assert not verdict.passed
    says(verdict, en="The Dockerfile has 1 stage(s); expected at least 2.",
         zh="Dockerfile 有 1 个阶段；期望至少 2。")


def test_a_stages_check_fails_over_its_maximum():
    verdict = check(type="stages", max=1).judge(facts(dockerfile=parse(GO_MULTI_STAGE)))
    assert not verdict.passed
    says(verdict, en="The Dockerfile has 2 stage(s); expected at most 1.",
         zh="Dockerfile 有 2 个阶段；期望不超过 1。")


def test_a_stages_check_states_both_bounds():
    verdict = check(type="stages", min=3, max=4).judge(facts(dockerfile=parse(GO_MULTI_STAGE)))
    assert not verdict.passed
    says(verdict, en="expected between 3 and 4.", zh="期望在 3 到 4 之间。")


# ---------------------------------------------------------------------------------------------------- hadolint


DL3025 = LintFinding(4, "DL3025", "warning", "Use arguments JSON notation for CMD and ENTRYPOINT arguments")


def test_a_hadolint_check_fails_when_its_rule_is_reported():
    verdict = check(type="hadolint", rule="DL3025").judge(facts(lint=[DL3025]))
    assert not verdict.passed
    says(verdict, en="Line 4: DL3025 Use arguments JSON notation for CMD and ENTRYPOINT arguments",
         zh="第 4 行：DL3025 Use arguments JSON notation for CMD and ENTRYPOINT arguments")


def test_a_hadolint_check_passes_when_its_rule_is_absent():
    verdict = check(type="hadolint", rule="DL3025").judge(facts(lint=[]))
    assert verdict.passed
    says(verdict, en="No DL3025 advice.", zh="没有 DL3025 建议。")


def test_a_hadolint_check_ignores_other_rules():
    other = LintFinding(3, "DL3059", "info", "Multiple consecutive RUN instructions.")
    assert check(type="hadolint", rule="DL3025").judge(facts(lint=[other])).passed


# ------------------------------------------------------------------------------------------------ parse_check


def test_it_refuses_a_check_that_is_not_a_mapping():
    with pytest.raises(SpecError) as raised:
        parse_check("checks[0]", ["build"])
    assert raised.value.key == "checks[0]"


def test_it_refuses_a_bad_id():
    error = spec_error(id="Cmd_Form", type="build")
    assert error.key == "checks[0].id"
    assert str(error).startswith("checks[0].id: ")


def test_it_refuses_an_unknown_type_listing_the_known_ones():
    error = spec_error(type="entrypoint")
    assert error.key == "checks[0].type"
    assert "no_layer_file" in str(error) and "hadolint" in str(error)


def test_it_refuses_negative_points():
    assert spec_error(type="build", points=-1).key == "checks[0].points"


def test_it_refuses_points_that_are_not_a_whole_number():
    assert spec_error(type="build", points=1.5).key == "checks[0].points"


def test_it_refuses_a_hint_without_chinese():
    assert spec_error(type="build", hint={"after": 1, "en": "Look again."}).key == "checks[0].hint"


def test_it_refuses_a_hint_with_a_negative_after():
    assert spec_error(type="build", hint={"after": -1, "en": "a", "zh-hans": "b"}).key == "checks[0].hint.after"


def test_it_names_the_key_it_was_given():
    with pytest.raises(SpecError) as raised:
        parse_check("checks[3]", {"id": "x", "type": "config", "field": "Cmnd", "equals": []})
    assert raised.value.key == "checks[3].field"


def test_it_refuses_an_unknown_config_field():
    error = spec_error(type="config", field="Workdir", equals="/app")
    assert error.key == "checks[0].field"
    assert "WorkingDir" in str(error)


def test_it_refuses_a_config_check_with_both_equals_and_contains():
    assert spec_error(type="config", field="Env", equals={}, contains={}).key == "checks[0]"


def test_it_refuses_a_config_check_with_neither_equals_nor_contains():
    assert spec_error(type="config", field="Env").key == "checks[0]"


def test_it_refuses_a_form_other_than_exec_or_shell():
    assert spec_error(type="form", field="Cmd", form="json").key == "checks[0].form"


def test_it_refuses_a_form_check_on_another_field():
    assert spec_error(type="form", field="WorkingDir", form="exec").key == "checks[0].field"


def test_it_refuses_a_layers_check_without_bounds():
    assert spec_error(type="layers").key == "checks[0]"


def test_it_refuses_a_bound_that_is_not_a_number():
    assert spec_error(type="layers", min_added="two").key == "checks[0].min_added"


def test_it_refuses_a_negative_size():
    assert spec_error(type="size", max_mb=-5).key == "checks[0].max_mb"


def test_it_refuses_a_relative_file_path():
    assert spec_error(type="file", path="app/app.py").key == "checks[0].path"


def test_it_refuses_file_content_with_two_expectations():
    assert spec_error(type="file", path="/a", content={"equals": "a", "contains": "b"}).key == "checks[0].content"


def test_it_refuses_a_no_layer_file_check_with_nothing_to_look_for():
    assert spec_error(type="no_layer_file").key == "checks[0]"


def test_it_refuses_patterns_that_are_not_a_list():
    assert spec_error(type="no_layer_file", patterns="*.tmp").key == "checks[0].patterns"


def test_it_refuses_an_unknown_toolchain():
    assert spec_error(type="no_toolchain", toolchain="rust").key == "checks[0].toolchain"


def test_it_refuses_a_run_check_with_nothing_to_expect():
    assert spec_error(type="run", args=["Alice"]).key == "checks[0]"


def test_it_refuses_a_bad_regular_expression_by_its_key():
    error = spec_error(type="run", stdout={"matches": "Hello ("})
    assert error.key == "checks[0].stdout.matches"
    assert "not a valid regular expression" in str(error)


def test_it_refuses_stdout_given_as_a_number():
    assert spec_error(type="run", stdout=20971520).key == "checks[0].stdout"


def test_it_refuses_an_unknown_text_expectation():
    assert spec_error(type="run", stderr={"startswith": "x"}).key == "checks[0].stderr"


def test_it_refuses_args_that_are_not_a_list_of_strings():
    assert spec_error(type="run", args="Alice", stdout="x").key == "checks[0].args"


def test_it_refuses_env_that_is_not_a_mapping():
    assert spec_error(type="run", env=["A=1"], stdout="x").key == "checks[0].env"


def test_it_refuses_a_stop_check_without_within_s():
    assert spec_error(type="stop", prints="bye").key == "checks[0]"


def test_it_refuses_a_cache_check_without_a_change():
    assert spec_error(type="cache", cached=["^RUN"]).key == "checks[0].change"


def test_it_refuses_a_cache_check_with_a_bad_pattern():
    assert spec_error(type="cache", change=APP_CHANGE, rebuilt=["RUN ("]).key == "checks[0].rebuilt"


def test_it_refuses_a_cache_check_with_nothing_to_expect():
    assert spec_error(type="cache", change=APP_CHANGE).key == "checks[0]"


def test_it_refuses_a_cache_check_with_a_bad_image_or_run():
    assert spec_error(type="cache", change=APP_CHANGE, image="new").key == "checks[0].image"
    assert spec_error(type="cache", change=APP_CHANGE, run={"stdout": "v2", "ready": "x"}).key == "checks[0].run.ready"
    assert spec_error(type="cache", change=APP_CHANGE, run={"args": ["x"]}).key == "checks[0].run"


def test_it_refuses_a_process_check_without_an_expectation_or_with_an_empty_ready():
    assert spec_error(type="process", ready="up").key == "checks[0]"
    assert spec_error(type="process", argv="python3 app.py", ready="").key == "checks[0].ready"
    assert spec_error(type="process", executable={"matches": "("}).key == "checks[0].executable.matches"


def test_it_refuses_a_layer_check_without_a_judgement_or_with_a_bad_stage():
    assert spec_error(type="layer", path="/app/x").key == "checks[0]"
    assert spec_error(type="layer", path="app/x", created_by="RUN x").key == "checks[0].path"
    assert spec_error(type="layer", path="/x", from_stage={"stage": True}).key == "checks[0].from_stage.stage"
    assert spec_error(type="layer", path="/x", from_stage={"stage": 0, "file": "/y"}).key == "checks[0].from_stage"


def test_it_refuses_a_stop_check_with_a_text_exit_code():
    assert spec_error(type="stop", within_s=2, exit_code="0").key == "checks[0].exit_code"


def test_it_refuses_a_hadolint_check_with_a_bad_rule():
    assert spec_error(type="hadolint", rule="3025").key == "checks[0].rule"


def test_a_misspelt_option_is_refused_by_key():
    with pytest.raises(SpecError) as raised:
        parse_check("checks[2]", {"id": "f", "type": "file", "path": "/app/x", "contents": "oops"})
    assert raised.value.key == "checks[2].contents"
    assert "not an option of file checks" in str(raised.value)


# ------------------------------------------------------------------------------------------------------ registry

DIGEST_A, DIGEST_B = "sha256:" + "a" * 64, "sha256:" + "b" * 64


def registry_facts(digests: dict[str, str], *, tags=None, config=None, pulls=None, submitted=None) -> Facts:
    repository = RepositoryFacts("alice/app", sorted(tags if tags is not None else digests), digests,
                                 {digest: config or {} for digest in set(digests.values())}, pulls or {})
    return facts(registry={"app": repository}, submitted=submitted or {})


def test_a_registry_check_needs_the_tags_it_names_and_a_pull_when_asked():
    made = check(type="registry", repository="app", tag="latest", same_digest_as="1.0", pull=True)
    assert made.needs() == [Need("registry", "app", ("latest", "1.0")), Need("registry_pull", ("app", "latest"))]


def test_a_missing_tag_names_the_tags_there_are():
    verdict = check(type="registry", repository="app", tag="1.0").judge(registry_facts({}, tags=["latest"]))
    assert not verdict.passed
    assert verdict.message["en"] == "The course registry has no alice/app:1.0; the tags of alice/app are: latest."
    assert "latest" in verdict.message["zh-hans"]


def test_two_tags_with_different_digests_are_two_images():
    made = check(type="registry", repository="app", tag="latest", same_digest_as="1.0")
    assert made.judge(registry_facts({"latest": DIGEST_A, "1.0": DIGEST_A})).passed
    verdict = made.judge(registry_facts({"latest": DIGEST_A, "1.0": DIGEST_B}))
    assert not verdict.passed
    assert "sha256:aaaaaaaaaaaa…" in verdict.message["en"] and "sha256:bbbbbbbbbbbb…" in verdict.message["en"]
    assert "Tag one image twice" in verdict.message["en"]


def test_config_from_the_registry_compares_labels_by_those_given():
    made = check(type="registry", repository="app", tag="1.0", config={"Labels": {"version": "1.0"}})
    assert made.judge(registry_facts({"1.0": DIGEST_A}, config={"Labels": {"version": "1.0", "x": "y"}})).passed
    verdict = made.judge(registry_facts({"1.0": DIGEST_A}, config={"Labels": None}))
    assert verdict.message["en"] == 'In the registry, alice/app:1.0 has no Labels; expected {"version": "1.0"}.'
    verdict = made.judge(registry_facts({"1.0": DIGEST_A}, config={"Labels": {"version": "2.0"}}))
    assert verdict.message["en"] == ('In the registry, alice/app:1.0 has Labels {"version": "2.0"}; '
                                     'expected {"version": "1.0"}.')


@pytest.mark.parametrize("reported, words", [
    (b"", 'digest.txt should hold the digest of alice/app:1.0'),
    (b"sha256:paste-it-here\n", "it holds \"sha256:paste-it-here\""),
    (DIGEST_B.encode() + b"\n", "digest.txt reports sha256:bbbbbbbbbbbb…, but alice/app:1.0 is sha256:aaaaaaaaaaaa…"),
])
def test_the_reported_digest_must_be_the_tags(reported, words):
    made = check(type="registry", repository="app", tag="1.0", digest_file="digest.txt")
    verdict = made.judge(registry_facts({"1.0": DIGEST_A}, submitted={"digest.txt": reported}))
    assert not verdict.passed and words in verdict.message["en"]
    right = made.judge(registry_facts({"1.0": DIGEST_A}, submitted={"digest.txt": f"{DIGEST_A}\n".encode()}))
    assert right.passed and right.message["en"] == "alice/app:1.0 is in the course registry as sha256:aaaaaaaaaaaa…."


def test_a_failed_pull_by_digest_says_why():
    refused = Outcome(OutcomeKind.REGISTRY_DENIED, "pull", {"reference": "x", "reason": "denied."})
    made = check(type="registry", repository="app", tag="1.0", pull=True)
    verdict = made.judge(registry_facts({"1.0": DIGEST_A}, pulls={DIGEST_A: refused}))
    assert not verdict.passed and verdict.message["en"].startswith("Pulling alice/app@sha256:aaaaaaaaaaaa… failed:")


@pytest.mark.parametrize("options, key", [
    ({"repository": "Hello", "tag": "1.0"}, "checks[0].repository"),
    ({"repository": "hello", "tag": "-1"}, "checks[0].tag"),
    ({"repository": "hello", "tag": "1.0", "same_digest_as": ".x"}, "checks[0].same_digest_as"),
    ({"repository": "hello", "tag": "1.0", "config": {"Size": 1}}, "checks[0].config"),
    ({"repository": "hello", "tag": "1.0", "digest_file": "/etc/digest"}, "checks[0].digest_file"),
])
def test_registry_options_are_checked(options, key):
    with pytest.raises(SpecError) as raised:
        check(type="registry", **options)
    assert raised.value.key == key
