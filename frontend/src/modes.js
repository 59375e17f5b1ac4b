// Which files are executable, like `chmod +x` on a disk: a set of names that follows renames and deletions. Docker
// keeps a file's mode, so this is what makes a script runnable in the image; the server is sent the names.

// initial: the names marked executable, e.g. ["entrypoint.sh"].
export function createModes(initial = []) {
  let executable = new Set(initial);

  function isExecutable(name) {
    return executable.has(name);
  }

  function set(name, on) {
    if (on) executable.add(name);
    else executable.delete(name);
  }

  function rename(oldName, newName) {
    if (!executable.delete(oldName)) return;
    executable.add(newName);
  }

  // The names marked executable among `names` (the files that exist), sorted: what a request's `executable` holds.
  function among(names) {
    const present = new Set(names);
    return [...executable].filter((name) => present.has(name)).sort();
  }

  return {
    isExecutable, set, rename, among,
    remove: (name) => set(name, false),
    replace: (names) => { executable = new Set(names || []); },
  };
}

// What a tab shows after the name of an executable file, and the words for it. "+x" is chmod's own notation, the
// same in every language.
export function executableMark(t) {
  return { text: "+x", title: t("executableTitle") };
}
