"""What the exercise page's script is sent: its strings, translated by gettext, and every rule it checks, taken
from the server. The page's checks (frontend/src/rules.js, run here in Node) refuse exactly the names the server
refuses, with the rules the page was sent."""
import json
import re
import subprocess

import pytest

from engine.limits import EDITOR_LIMITS
from registry.publishing import MAX_TAGS, BadDestination, Destination
from tests.servers import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("course")]
RULES_MODULE = (PROJECT / "frontend" / "src" / "rules.js").as_uri()


def json_block(response, block_id: str) -> dict:
    found = re.search(rf'<script id="{block_id}" type="application/json">(.*?)</script>', response.content.decode(),
                      re.DOTALL)
    return json.loads(found[1])


def test_the_page_gets_its_strings_in_the_learners_language(client, ada):
    english = json_block(client.get("/exercises/first-dockerfile/"), "exercise-strings")
    chinese = json_block(client.get("/exercises/first-dockerfile/", HTTP_ACCEPT_LANGUAGE="zh-CN"), "exercise-strings")
    assert english["accepted"] == "Attempt #{id} accepted."
    assert chinese["accepted"] == "第 {id} 次尝试已受理。"
    assert english.keys() == chinese.keys()
    assert [key for key in english if english[key] == chinese[key]] == []  # every string has its translation


def test_the_page_gets_the_servers_limits(client, ada):
    rules = json_block(client.get("/exercises/first-dockerfile/"), "exercise-data")["rules"]
    assert EDITOR_LIMITS.as_dict().items() <= rules["files"].items()
    assert rules["publish"]["max_tags"] == MAX_TAGS


# (repository, tags): names Docker's grammar accepts and refuses, at the edges of each rule.
SAMPLES = [
    ("hello", ["1.0"]), ("tools/hello", ["latest", "1.0"]), ("a.b_c__d-e--f", ["_x"]), ("hello", ["A" * 128]),
    ("", ["1.0"]), ("Hello", ["1.0"]), ("hello/", ["1.0"]), ("-hello", ["1.0"]), ("a..b", ["1.0"]), ("a___b", ["1"]),
    ("hello\n", ["1.0"]), ("héllo", ["1.0"]), ("x" * 300, ["1.0"]), ("hello", []), ("hello", ["-bad"]),
    ("hello", [".bad"]), ("hello", ["A" * 129]), ("hello", ["1.0\n"]), ("hello", ["ü"]),
    ("hello", [str(n) for n in range(MAX_TAGS)]), ("hello", [str(n) for n in range(MAX_TAGS + 1)]),
]

def page_verdicts(rules: dict, destination: dict) -> list[bool]:
    """Whether the page's own check lets each sample through, run in Node on the rules the page was sent."""
    script = (f'import {{ compilePublishRules, publishProblem }} from "{RULES_MODULE}";\n'
              'import { readFileSync } from "node:fs";\n'
              'const { rules, destination, samples } = JSON.parse(readFileSync(0, "utf8"));\n'
              "const compiled = compilePublishRules(rules);\n"
              "const verdicts = samples.map(([repository, tags]) =>\n"
              "  publishProblem({ repository, tags }, compiled, destination) === null);\n"
              "process.stdout.write(JSON.stringify(verdicts));\n")
    answer = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True,
                            input=json.dumps({"rules": rules, "destination": destination, "samples": SAMPLES}))
    return json.loads(answer.stdout)


def server_accepts(namespace: str, repository: str, tags: list[str]) -> bool:
    try:
        Destination.parse(namespace, repository, tags)
    except BadDestination:
        return False
    return True


def test_the_page_refuses_the_names_the_server_refuses(client, ada):
    data = json_block(client.get("/exercises/first-dockerfile/"), "exercise-data")
    verdicts = page_verdicts(data["rules"]["publish"], data["publish"])
    expected = [server_accepts("ada", repository, tags) for repository, tags in SAMPLES]
    assert verdicts == expected
    assert True in expected and False in expected
