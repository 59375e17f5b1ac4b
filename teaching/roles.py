"""Instructor and learner roles as Django groups. An instructor is whoever holds `teaching.teach` (the instructors'
group gives it); a learner is anyone who joined a class. The groups are made by a data migration."""
from django.contrib.auth.models import Group

from registry.registry import INSTRUCTORS_GROUP

LEARNERS_GROUP = "learners"
TEACH = "teaching.teach"


def is_instructor(user) -> bool:
    return user.is_authenticated and user.has_perm(TEACH)


def make_learner(user) -> None:
    user.groups.add(Group.objects.get_or_create(name=LEARNERS_GROUP)[0])


def make_instructor(user) -> None:
    user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
