"""Docker's reference grammar (distribution/reference): the names images are pushed, pulled and published under.

Path components are lower-case letters and digits joined by ".", "_", "__" or runs of "-"; a tag is word
characters, "." and "-", not starting with either, at most 128 long; a whole name is at most 255 characters.
"""
import re

# Every pattern ends in \Z, not $: $ also matches before a final newline, and "1.0\n" is no tag.
PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REPOSITORY = re.compile(rf"^{PATH_COMPONENT}(?:/{PATH_COMPONENT})+\Z")  # namespace/name[/more]
RELATIVE_REPOSITORY = re.compile(rf"^{PATH_COMPONENT}(?:/{PATH_COMPONENT})*\Z")  # a name under a namespace
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
MAX_NAME_LENGTH = 255
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}\Z")
NAMESPACE = re.compile(rf"^{PATH_COMPONENT}\Z")  # one path component: the first of a namespaced name


def short_digest(digest: str) -> str:
    """A digest as people quote it: the algorithm and the first twelve hex digits."""
    algorithm, _, value = digest.partition(":")
    return f"{algorithm}:{value[:12]}…" if value else digest
