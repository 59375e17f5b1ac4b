"""The course registry's namespaces: one per learner, named by their user name, under Docker's reference grammar
(engine.references), and the names no learner may take."""
from engine.references import NAMESPACE

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
