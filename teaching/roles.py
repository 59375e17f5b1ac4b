"""Instructor and learner roles as Django groups. An instructor is whoever holds `teaching.teach` (the instructors'
group gives it); a learner is anyone who joined a class. The groups are made by a data migration."""
from django.contrib.auth.models import Group, Permission

from registry.registry import INSTRUCTORS_GROUP

LEARNERS_GROUP = "learners"
TEACH = "teaching.teach"
# What the instructors' group may do (migration 0002 gives it these; instructors_group() restores them in a
# database emptied since, as the test database is between tests).
INSTRUCTOR_PERMISSIONS = ("teach", "add_classroom", "change_classroom", "view_classroom",
                          *(f"{action}_{model}" for model in ("deadline", "extension")
                            for action in ("add", "change", "delete", "view")))


def is_instructor(user) -> bool:
    return user.is_authenticated and user.has_perm(TEACH)


def make_learner(user) -> None:
    user.groups.add(Group.objects.get_or_create(name=LEARNERS_GROUP)[0])


def instructors_group() -> Group:
    group, created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    if created or not group.permissions.filter(codename="teach").exists():
        group.permissions.add(*Permission.objects.filter(content_type__app_label="teaching",
                                                         codename__in=INSTRUCTOR_PERMISSIONS))
    return group


def make_instructor(user) -> None:
    user.groups.add(instructors_group())
