import assert from "node:assert/strict";
import { test } from "node:test";
import { compilePublishRules, fileNameProblem, limitProblem, publishProblem, publishTarget, referenceFor } from "../src/rules.js";

// Rules in the shape the view sends them (course/views.py, _page_rules); the numbers are the tests' own, so that
// a check which ignored them and used a constant of its own would fail.
const FILES = {
  max_files: 3, max_file_bytes: 10, max_total_bytes: 16, max_name_length: 12,
  forbidden_characters: "\\\u0000\u0001\u001f\u007f", forbidden_parts: ["", ".", ".."],
};
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const PUBLISH = compilePublishRules({
  repository: `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`, tag: "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}",
  max_name_length: 31, max_tags: 2,
});
const DESTINATION = { registry: "127.0.0.1:5000", username: "ada" };

const nameKey = (name, others = []) => fileNameProblem(name, others, FILES)?.key ?? null;

test("file names: relative paths inside the build context, without characters the rules forbid", () => {
  assert.equal(nameKey("src/app.py"), null);
  assert.equal(nameKey(""), "nameEmpty");
  assert.equal(nameKey("/etc/passwd"), "nameAbsolute");
  assert.equal(nameKey("a\\b"), "nameBadCharacters");
  assert.equal(nameKey("a\u0001b"), "nameBadCharacters");
  assert.equal(nameKey("a\u0002b"), null); // not in this server's list: the page adds no rule of its own
  assert.equal(nameKey("../up"), "nameDotDot");
  assert.equal(nameKey("a/../b"), "nameDotDot");
  assert.equal(nameKey("a//b"), "nameEmptyPart");
  assert.equal(nameKey("./a"), "nameEmptyPart");
  assert.equal(nameKey("dir/"), "nameEmptyPart");
});

test("a file name longer than the server allows says the server's limit", () => {
  assert.equal(nameKey("a".repeat(12)), null);
  assert.deepEqual(fileNameProblem("a".repeat(13), [], FILES), { key: "nameTooLong", params: { limit: 12 } });
});

test("a name already taken, or one that would make a file a folder, is refused", () => {
  assert.equal(nameKey("app.py", ["Dockerfile", "app.py"]), "nameTaken");
  assert.deepEqual(fileNameProblem("src", ["src/main.py"], FILES), { key: "nameClash", params: { other: "src/main.py" } });
  assert.equal(nameKey("app.py/x", ["app.py"]), "nameClash");
  assert.equal(nameKey("src2", ["src/main.py"]), null);
});

const kb = (bytes) => `${bytes} bytes`;

test("the editor's limits: file count, size of one file and of all, in UTF-8 bytes", () => {
  assert.equal(limitProblem({ Dockerfile: "FROM a", b: "1234" }, FILES, kb), null);
  assert.deepEqual(limitProblem({ a: "", b: "", c: "", d: "" }, FILES, kb), { key: "tooManyFiles", params: { limit: 3 } });
  // Four Chinese characters are 12 bytes, over 10, though they are only four characters.
  assert.deepEqual(limitProblem({ Dockerfile: "构建镜像" }, FILES, kb), {
    key: "fileTooLarge", params: { name: "Dockerfile", limit: "10 bytes" },
  });
  assert.deepEqual(limitProblem({ a: "123456789", b: "123456789" }, FILES, kb), {
    key: "totalTooLarge", params: { limit: "16 bytes" },
  });
});

test("the publish form's text: a trimmed repository and each tag once", () => {
  assert.deepEqual(publishTarget("  hello ", " 1.0  latest 1.0\n"), { repository: "hello", tags: ["1.0", "latest"] });
  assert.equal(referenceFor(DESTINATION, "tools/hello", "1.0"), "127.0.0.1:5000/ada/tools/hello:1.0");
});

const problem = (repository, tags) => publishProblem({ repository, tags }, PUBLISH, DESTINATION);

test("repositories follow the server's grammar, and an upper-case one is shown in lower case", () => {
  assert.equal(problem("tools/hi-you", ["1.0"]), null);
  assert.deepEqual(problem("", ["1.0"]), { field: "repository", key: "repoEmpty", params: undefined });
  assert.deepEqual(problem("Hello", ["1.0"]), { field: "repository", key: "repoUpper", params: { suggestion: "hello" } });
  assert.equal(problem("hello/", ["1.0"]).key, "repoInvalid");
  assert.equal(problem("-hello", ["1.0"]).key, "repoInvalid");
  assert.equal(problem("hello\n", ["1.0"]).key, "repoInvalid"); // the pattern holds for the whole text
});

test("the whole name, registry and namespace included, may not pass the server's length", () => {
  assert.equal(problem("a".repeat(12), ["1"]), null); // 127.0.0.1:5000/ada/ is 19 characters
  assert.deepEqual(problem("a".repeat(13), ["1"]), { field: "repository", key: "repoTooLong", params: { limit: 31 } });
});

test("tags: at least one, at most the server's number, each in the grammar", () => {
  assert.equal(problem("hello", []).key, "tagsEmpty");
  assert.deepEqual(problem("hello", ["a", "b", "c"]), { field: "tags", key: "tagsTooMany", params: { limit: 2 } });
  assert.deepEqual(problem("hello", ["1.0", "-bad"]), { field: "tags", key: "tagInvalid", params: { tag: "-bad" } });
  assert.equal(problem("hello", [".hidden"]).key, "tagInvalid");
  assert.equal(problem("hello", ["x".repeat(129)]).key, "tagInvalid");
  assert.equal(problem("hello", ["x".repeat(128)]), null);
});
