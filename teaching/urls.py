from django.urls import path

from teaching import dashboard, exports, preview, regrade, statistics, views

CLASS = "teaching/classes/<int:class_id>/"

urlpatterns = [
    path("teaching/", views.class_list, name="teaching"),
    path("teaching/join/", views.join, name="teaching-join-form"),
    path("teaching/join/<str:code>/", views.join, name="teaching-join"),
    path("teaching/exercises/<slug:slug>/preview", preview.preview, name="teaching-preview"),
    path(CLASS, dashboard.matrix, name="teaching-class"),
    path(f"{CLASS}settings/", views.class_settings, name="teaching-class-settings"),
    path(f"{CLASS}invite", views.rotate_invite, name="teaching-rotate-invite"),
    path(f"{CLASS}instructors", views.add_co_instructor, name="teaching-add-instructor"),
    path(f"{CLASS}deadlines", views.set_deadline, name="teaching-set-deadline"),
    path(f"{CLASS}deadlines/<int:item_id>/delete", views.delete_deadline, name="teaching-delete-deadline"),
    path(f"{CLASS}extensions", views.set_extension, name="teaching-set-extension"),
    path(f"{CLASS}extensions/<int:item_id>/delete", views.delete_extension, name="teaching-delete-extension"),
    path(f"{CLASS}learners/<int:learner_id>/", dashboard.learner_history, name="teaching-learner"),
    path(f"{CLASS}attempts/", dashboard.attempt_list, name="teaching-attempts"),
    path(f"{CLASS}attempts/<int:attempt_id>/", dashboard.attempt_detail, name="teaching-attempt"),
    path(f"{CLASS}statistics/", statistics.overview, name="teaching-statistics"),
    path(f"{CLASS}statistics/<slug:slug>/", statistics.exercise_statistics, name="teaching-exercise-statistics"),
    path(f"{CLASS}regrade/<slug:slug>/", regrade.regrade, name="teaching-regrade"),
    path(f"{CLASS}regrades/<int:run_id>/", regrade.regrade_run, name="teaching-regrade-run"),
    path(f"{CLASS}regrades/<int:run_id>/apply", regrade.apply_regrade, name="teaching-regrade-apply"),
    path(f"{CLASS}gradebook.csv", exports.gradebook_csv, name="teaching-gradebook-csv"),
    path(f"{CLASS}attempts.csv", exports.attempts_csv, name="teaching-attempts-csv"),
]
