from django.urls import path

from course import views

urlpatterns = [
    path("", views.course_index, name="course"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson"),
    path("lessons/<slug:slug>/images/<str:name>", views.lesson_image, name="lesson-image"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise"),
    path("exercises/<slug:slug>/draft", views.save_draft, name="exercise-draft"),
    path("exercises/<slug:slug>/attempts", views.exercise_attempts, name="exercise-attempts"),
    path("attempts/<int:attempt_id>", views.attempt_detail, name="attempt"),
    path("accounts/sign-up/", views.sign_up, name="sign-up"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/images/delete/", views.delete_image, name="delete_image"),
    path("sandbox/status", views.sandbox_status, name="sandbox-status"),
]
