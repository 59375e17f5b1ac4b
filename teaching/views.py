"""Classes for instructors and learners: the list of an instructor's classes, creating one, its settings
(invitation, co-instructors, deadlines, extensions), and a learner joining one with its code."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from teaching.access import instructor_required, taught_class
from teaching.forms import ClassroomForm, CoInstructorForm, DeadlineForm, ExtensionForm, InviteForm, JoinForm
from teaching.models import Classroom, Deadline, Enrollment, Extension
from teaching.roles import make_learner


@instructor_required
@require_http_methods(["GET", "POST"])
def class_list(request: HttpRequest) -> HttpResponse:
    form = ClassroomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            classroom = form.save()
            classroom.instructors.add(request.user)
        return redirect(classroom)
    classes = Classroom.objects.taught_by(request.user).prefetch_related("instructors")
    return render(request, "teaching/classes.html", {"classes": classes, "form": form})


@instructor_required
@require_http_methods(["GET"])
def class_settings(request: HttpRequest, class_id: int) -> HttpResponse:
    classroom = taught_class(request, class_id)
    return render(request, "teaching/settings.html", {
        "classroom": classroom,
        "invite_url": request.build_absolute_uri(reverse("teaching-join", args=[classroom.invite_code])),
        "invite_form": InviteForm(classroom), "co_instructor_form": CoInstructorForm(classroom),
        "deadline_form": DeadlineForm(classroom), "extension_form": ExtensionForm(classroom),
        "deadlines": classroom.deadlines.select_related("lesson", "exercise").order_by("due_at"),
        "extensions": classroom.extensions.select_related("learner", "exercise").order_by("due_at"),
        "instructors": classroom.instructors.order_by("username"),
    })


def _back_to_settings(request: HttpRequest, classroom: Classroom, form=None) -> HttpResponse:
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("teaching-class-settings", classroom.id)


def _apply_form(request: HttpRequest, class_id: int, form_class, apply) -> HttpResponse:
    """A form of the settings page: `apply(classroom, cleaned_data)` does what it asks and returns what to say."""
    classroom = taught_class(request, class_id)
    form = form_class(classroom, request.POST)
    if form.is_valid():
        messages.success(request, apply(classroom, form.cleaned_data))
    return _back_to_settings(request, classroom, form)


def _rotate(classroom: Classroom, data: dict) -> str:
    classroom.rotate_invite(data["expires_at"])
    return _("A new invite code is ready; the old one no longer works.")


def _add_co_instructor(classroom: Classroom, data: dict) -> str:
    classroom.instructors.add(data["username"])
    return _("{name} teaches this class now.").format(name=data["username"].get_username())


def _set_deadline(classroom: Classroom, data: dict) -> str:
    Deadline.objects.update_or_create(classroom=classroom, **DeadlineForm.target_fields(data),
                                      defaults={"due_at": data["due_at"]})
    return _("The deadline is set.")


def _set_extension(classroom: Classroom, data: dict) -> str:
    Extension.objects.update_or_create(classroom=classroom, learner=data["learner"], exercise=data["exercise"],
                                       defaults={"due_at": data["due_at"]})
    return _("The extension is set.")


def settings_action(form_class, apply):
    """The view of one form of the settings page."""
    @instructor_required
    @require_POST
    def view(request: HttpRequest, class_id: int) -> HttpResponse:
        return _apply_form(request, class_id, form_class, apply)
    return view


def removal(model):
    """The view that removes one of the class's deadlines or extensions."""
    @instructor_required
    @require_POST
    def view(request: HttpRequest, class_id: int, item_id: int) -> HttpResponse:
        classroom = taught_class(request, class_id)
        get_object_or_404(model, id=item_id, classroom=classroom).delete()
        return _back_to_settings(request, classroom)
    return view


rotate_invite = settings_action(InviteForm, _rotate)
add_co_instructor = settings_action(CoInstructorForm, _add_co_instructor)
set_deadline = settings_action(DeadlineForm, _set_deadline)
set_extension = settings_action(ExtensionForm, _set_extension)
delete_deadline = removal(Deadline)
delete_extension = removal(Extension)


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """A learner joins the class of an invite code: by its link (the code in the URL, confirmed with a POST) or by
    typing it. A wrong or expired code says so, without telling which."""
    form = JoinForm(request.POST or None, initial={"code": code})
    classroom = None
    if request.method == "POST" and form.is_valid():
        classroom = Classroom.objects.filter(invite_code=form.cleaned_data["code"].strip()).first()
        if classroom is not None and classroom.invite_open():
            Enrollment.objects.get_or_create(classroom=classroom, learner=request.user)
            make_learner(request.user)
            messages.success(request, _("You have joined {name}.").format(name=classroom.name))
            return redirect("course")
        form.add_error("code", _("That invite code is not valid, or it has expired."))
    return render(request, "teaching/join.html", {"form": form})
