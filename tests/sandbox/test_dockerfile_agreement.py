"""This project's parser and Docker's read the course's Dockerfiles, and every tricky spelling below, the same way.

The sandbox's rules judge Docker's reading and refuse a submission where the two part; the line numbers learners
see come from this project's parser. Both are only right if they agree on everything real Dockerfiles contain.
"""
import re
from pathlib import Path

import pytest
from django.conf import settings

from engine.dockerfile import BuilderInstruction, first_disagreement, parse, read_as_docker
from engine.engine import build_context

REPOSITORY = Path(__file__).resolve().parents[2]
STEP = re.compile(r"^Step \d+/\d+ : (.*)$", re.MULTILINE)
TAG = "layerlab-test/agreement"
# A lesson's ```dockerfile block that starts like a whole Dockerfile (others are fragments of one).
WHOLE_BLOCK = re.compile(r"```dockerfile\n((?:\s*#[^\n]*\n|\s*\n)*(?:FROM|ARG)\b.*?)```", re.DOTALL | re.IGNORECASE)


def corpus() -> dict[str, str]:
    """Every Dockerfile of the course (starters, solutions, wrong variants, examples), of the tests, and every
    whole Dockerfile a lesson shows."""
    files = [*Path(settings.COURSE_CONTENT_DIR).rglob("Dockerfile*"), *(REPOSITORY / "tests").rglob("Dockerfile*")]
    found = {str(path.relative_to(REPOSITORY)): path.read_text() for path in files}
    for lesson in Path(settings.COURSE_CONTENT_DIR).rglob("*.md"):
        for number, block in enumerate(WHOLE_BLOCK.findall(lesson.read_text()), start=1):
            found[f"{lesson.relative_to(REPOSITORY)} block {number}"] = block
    return found


CORPUS = corpus()

TRICKY = [
    "FROM scratch\nRUN a \\\n# c\n  b \\\n\n  c\nCMD x\n",
    "FROM scratch\nRUN a \\\n \\\nb\n",
    "FROM scratch\nRUN a \\\t\nb\n",
    "FROM scratch\nRUN a \\\x0b\nCMD b\n",
    "FROM scratch\nRUN echo \\\\\nCMD b\n",
    "FROM scratch\nRUN a\\\n    b\n",
    "FROM scratch\r\nRUN a \\\r\nb\r\n",
    "FROM scratch\r\r\nRUN a\n",
    "\ufeffFROM scratch\nRUN a\n",
    "   FROM scratch\n\tRUN a\n\u00a0RUN b\n",
    "FROM\tscratch\nRUN\techo  hi   \n",
    "FROM scratch\n#comment \\\nRUN a\n",
    "# escape=`\nFROM scratch\nRUN a `\nb\nCOPY c:\\ d\n",
    "#escape=`\nFROM scratch\nRUN a `\nb\n",
    " # ESCAPE = ` \nFROM scratch\nRUN a `\nb\n",
    "# escape=`\n# foo=bar\nFROM scratch\nRUN a `\nb\n",
    "# syntax=x\n# escape=`\nFROM scratch\nRUN a `\nb\n",
    "# comment\n# escape=`\nFROM scratch\nRUN a `\nCMD b\n",
    "\n# escape=`\nFROM scratch\nRUN a `\nCMD b\n",
    "# foo=bar\n# escape=`\nFROM scratch\nRUN a `\nCMD b\n",
    'FROM scratch AS build\nCOPY --chown="a b" --from=build /a /b\n',
    "FROM scratch AS build\nCOPY --chown='a \\' b' --from=build /a /b\n",
    'FROM scratch AS build\nCOPY --"from"=build --chown=a\\ b x y\n',
    "FROM scratch\nCOPY --chown=a\\\nb x y\n",
    "FROM scratch\nCOPY --chown=1 -- --from=x a b\n",
    "FROM scratch\nCOPY --link --chmod=644 a b\n",
    "FROM scratch\nCOPY --FROM=x a b\n",
    'FROM scratch\nCOPY ["a", "b"] c\n',
    'FROM scratch\nCOPY  ["a b", "c"]  \n',
    'FROM scratch\nADD ["http:\\/\\/x\\u0079", "/y"]\n',
    "FROM scratch\nCMD [NaN]\n",
    'FROM scratch\nCMD ["a", \\\n  "b"]\n',
    'FROM scratch\nENTRYPOINT ["sh", "-c"]\nSHELL ["sh", "-c"]\nVOLUME ["/a"]\nVOLUME /a /b\n',
    'FROM scratch\nWORKDIR ["/x"]\nUSER ["x"]\nEXPOSE 80\t 81\nSTOPSIGNAL 9\n',
    'FROM scratch\nHEALTHCHECK --interval=5s CMD ["true"]\nHEALTHCHECK NONE\n',
    'FROM scratch\nLABEL "a b"=c d=e\\ f g="h i"\nLABEL legacy value here\n',
    "FROM scratch\nENV a=b c=d\nENV legacy value\nARG x\nARG y=1\nMAINTAINER me\n",
    "FROM scratch\nONBUILD COPY --from=x a b\n",
    "from scratch as Build\nrun echo Hi\nCoPy --from=build A B\n",
    "FROM scratch\nCOPY a\u00a0b c\n",
]


def agree(text: str) -> bool:
    return first_disagreement(parse(text), read_as_docker(text)) is None


def test_the_corpus_holds_every_kind_of_course_dockerfile():
    folders = {part for name in CORPUS for part in Path(name).parts}
    assert {"starter", "solution", "wrong", "examples"} <= folders
    assert len(CORPUS) >= 50


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_both_parsers_read_every_course_dockerfile_alike(name):
    assert agree(CORPUS[name])


@pytest.mark.parametrize("text", TRICKY)
def test_both_parsers_read_tricky_spellings_alike(text):
    assert agree(text)


@pytest.mark.parametrize(("text", "line"), [
    ("FROM scratch\nCOPY --chown=José a b\n", 2),
    ("FROM scratch\nCOPY --chown=a\u00a0b c d\n", 2),
    ('FROM scratch\nRUN true\nCMD ["\\ud800"]\n', 3),
])
def test_where_the_parsers_part_is_found_at_its_line(text, line):
    assert first_disagreement(parse(text), read_as_docker(text)) == line


def test_an_instruction_only_one_parser_sees_is_a_disagreement():
    text = "FROM scratch\nRUN a\n"
    docker = read_as_docker(text)
    assert first_disagreement(parse("FROM scratch\n"), docker) == 2
    assert first_disagreement(parse(text), docker[:1]) == 2


def test_docker_reads_json_escapes_flags_and_onbuild():
    text = ('FROM scratch AS b\nADD ["http:\\/\\/x", "/y"]\nCOPY --chown="a b" --FROM=other /a /b\n'
            "onbuild add http://z /z\nLABEL a=1 \"c d\"=e\n")
    assert read_as_docker(text)[1:] == (
        BuilderInstruction("ADD", (), ("http://x", "/y"), True, 2, 2, 'ADD ["http:\\/\\/x", "/y"]'),
        BuilderInstruction("COPY", (("chown", "a b"), ("FROM", "other")), ("/a", "/b"), False, 3, 3,
                           'COPY --chown="a b" --FROM=other /a /b'),
        BuilderInstruction("ONBUILD", (), ("http://z", "/z"), False, 4, 4, "onbuild add http://z /z"),
        BuilderInstruction("LABEL", (), ("a", "1", '"c d"', "e"), False, 5, 5, 'LABEL a=1 "c d"=e'),
    )


def test_docker_reads_heredocs_which_the_engines_builder_does_not():
    (_, run) = read_as_docker("FROM scratch\nRUN <<EOF\necho hi\nEOF\n")
    assert (run.has_heredocs, run.line, run.end_line) == (True, 2, 4)


# Harmless Dockerfiles whose splitting the engine's classic builder (BuildKit v0.8's parser) must confirm.
AS_THE_ENGINE_BUILDS = [
    "FROM layerlab/busybox\nRUN echo a\\\\\nRUN echo second\n",
    "FROM layerlab/busybox\nRUN echo a \\\x0b\nRUN echo b\n",
    "FROM layerlab/busybox\nRUN echo a \\\n# a comment\n\n  b \\\t\n  c\n",
    "# escape=`\nFROM layerlab/busybox\nRUN echo a `\n  b\nRUN echo c:\\\n",
    "# comment\n# escape=`\nFROM layerlab/busybox\nLABEL note=a`\nLABEL other=b\n",
    'FROM layerlab/busybox\nCOPY ["a", "/copied"] ignored\nRUN cat /copied\n',
    'FROM layerlab/busybox AS one\nFROM layerlab/busybox\nCOPY --chown="1000:1000" --from=one /etc/passwd /p\n',
]


def steps_the_engine_runs(engine, dockerfile: str) -> list[str]:
    """The instructions the engine's own builder runs, as its log names them ("Step 2/3 : RUN echo a")."""
    context = build_context({"Dockerfile": dockerfile.encode(), "a": b"a\n"})
    try:
        messages = list(engine.api.build(fileobj=context, custom_context=True, tag=TAG, rm=True, forcerm=True,
                                         network_mode="none", decode=True))
    finally:
        engine.remove(TAG)  # with the untagged layers below it; never a base image
    assert not [message for message in messages if "error" in message], messages
    return [step.strip() for message in messages for step in STEP.findall(message.get("stream", ""))]


@pytest.mark.engine
@pytest.mark.parametrize("text", AS_THE_ENGINE_BUILDS)
def test_the_engines_builder_runs_the_instructions_dockers_parser_reads(real_engine, text):
    assert agree(text)
    assert steps_the_engine_runs(real_engine, text) == [i.text.strip() for i in read_as_docker(text)]
