// What the page checks before it sends anything: file names, the editor's size limits and the names a publish
// goes under. Every number, character and grammar comes from the server (page data `rules`); the server checks
// again, this only says it sooner. Each check returns null or {key, params}, the message to show.

const encoder = new TextEncoder();
const byteLength = (text) => encoder.encode(text).length;

// Why a file name is refused, or null. `others` are the names already in the workspace (the one being renamed
// left out): a build context cannot hold a file "a" and a file "a/b", since "a" would be a file and a folder.
export function fileNameProblem(name, others, rules) {
  if (!name) return { key: "nameEmpty" };
  if (name.startsWith("/")) return { key: "nameAbsolute" };
  if ([...name].some((character) => rules.forbidden_characters.includes(character))) {
    return { key: "nameBadCharacters" };
  }
  const parts = name.split("/").filter((part) => rules.forbidden_parts.includes(part));
  if (parts.includes("..")) return { key: "nameDotDot" };
  if (parts.length) return { key: "nameEmptyPart" };
  if (name.length > rules.max_name_length) return { key: "nameTooLong", params: { limit: rules.max_name_length } };
  for (const other of others) {
    if (other === name) return { key: "nameTaken" };
    if (other.startsWith(`${name}/`) || name.startsWith(`${other}/`)) return { key: "nameClash", params: { other } };
  }
  return null;
}

// Which of the editor's limits the files break first, or null. Sizes are UTF-8 bytes, as the server counts them.
export function limitProblem(files, rules, formatSize) {
  const names = Object.keys(files);
  if (names.length > rules.max_files) return { key: "tooManyFiles", params: { limit: rules.max_files } };
  let total = 0;
  for (const name of names) {
    const size = byteLength(files[name]);
    total += size;
    if (size > rules.max_file_bytes) {
      return { key: "fileTooLarge", params: { name, limit: formatSize(rules.max_file_bytes) } };
    }
  }
  if (total > rules.max_total_bytes) return { key: "totalTooLarge", params: { limit: formatSize(rules.max_total_bytes) } };
  return null;
}

// The server's grammar as whole-text regular expressions. Its sources are plain ERE-like patterns that mean the
// same in Python and JavaScript; the server sends them without anchors.
export function compilePublishRules(rules) {
  const whole = (source) => new RegExp(`^(?:${source})$`);
  return { ...rules, repositoryPattern: whole(rules.repository), tagPattern: whole(rules.tag) };
}

// The form's text as what a publish sends: the repository, and each tag once.
export function publishTarget(repositoryText, tagsText) {
  const tags = tagsText.split(/\s+/).filter(Boolean);
  return { repository: repositoryText.trim(), tags: [...new Set(tags)] };
}

// The image's name without its tag, registry and namespace included: what Docker's length limit counts.
function repositoryPath(destination, repository) {
  return `${destination.registry}/${destination.username}/${repository}`;
}

// The whole name Docker gives the image: registry/namespace/repository:tag.
export function referenceFor(destination, repository, tag) {
  return `${repositoryPath(destination, repository)}:${tag}`;
}

// What is wrong with the repository or the tags, as {field, key, params}, or null. `rules` from
// compilePublishRules; `destination` says where the image goes ({registry, username}).
export function publishProblem({ repository, tags }, rules, destination) {
  const inRepository = (key, params) => ({ field: "repository", key, params });
  if (!repository) return inRepository("repoEmpty");
  if (!rules.repositoryPattern.test(repository)) {
    const lower = repository.toLowerCase();
    return rules.repositoryPattern.test(lower) ? inRepository("repoUpper", { suggestion: lower }) : inRepository("repoInvalid");
  }
  if (repositoryPath(destination, repository).length > rules.max_name_length) {
    return inRepository("repoTooLong", { limit: rules.max_name_length });
  }
  const inTags = (key, params) => ({ field: "tags", key, params });
  if (!tags.length) return inTags("tagsEmpty");
  if (tags.length > rules.max_tags) return inTags("tagsTooMany", { limit: rules.max_tags });
  const bad = tags.find((tag) => !rules.tagPattern.test(tag));
  return bad === undefined ? null : inTags("tagInvalid", { tag: bad });
}
