"""Who may see what: an instructor sees only the classes they teach, and in them only their learners' attempts.
Anything else is answered as if it did not exist (404); a page for instructors refuses everyone else (403)."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from attempts.models import Attempt
from teaching.models import Classroom
from teaching.roles import is_instructor


def instructor_required(view):
    """Login first, then the instructor's role."""
    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return checked


def taught_class(request, class_id: int) -> Classroom:
    return get_object_or_404(Classroom.objects.taught_by(request.user), id=class_id)


def class_attempt(classroom: Classroom, attempt_id: int) -> Attempt:
    """An attempt of a learner of the class, or 404."""
    return get_object_or_404(Attempt.objects.select_related("user", "exercise"), id=attempt_id,
                             user__in=classroom.learners.all())
