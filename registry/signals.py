"""What happens to a learner's things outside the database when their account is deleted."""
import logging

import requests

from registry.registry import RegistryClient

log = logging.getLogger(__name__)


def delete_registry_namespace(sender, instance, **kwargs) -> None:
    """A deleted account takes its registry repositories along (their blobs go at the next garbage collection)."""
    try:
        RegistryClient().delete_namespace(instance.get_username())
    except requests.RequestException as error:
        log.warning("could not delete the registry namespace of %s: %s", instance.get_username(), error)
