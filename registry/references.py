"""Docker's reference grammar (distribution/reference), for the names learners publish under.

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
NAMESPACE = re.compile(rf"^{PATH_COMPONENT}\Z")  # a learner's user name, the first component of their images
MAX_NAMESPACE_LENGTH = 40
# Names no learner may take, since their images would pass for someone else's: Docker's official images live under
# "library/", the course's own under "layerlab/", and some read as the registry, its API or this site.
RESERVED_NAMESPACES = frozenset({
    "admin", "administrator", "api", "auth", "docker", "hub", "layerlab", "library", "localhost", "official",
    "registry", "root", "sandbox", "static", "superuser", "system", "token", "v1", "v2", "www",
})


def can_name_namespace(name: str) -> bool:
    """Whether a user name can be a learner's namespace in the course registry: Docker's grammar and not reserved."""
    return len(name) <= MAX_NAMESPACE_LENGTH and bool(NAMESPACE.match(name)) and name not in RESERVED_NAMESPACES


def short_digest(digest: str) -> str:
    """A digest as people quote it: the algorithm and the first twelve hex digits."""
    algorithm, _, value = digest.partition(":")
    return f"{algorithm}:{value[:12]}…" if value else digest
