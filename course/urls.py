from django.urls import path

from course import views

urlpatterns = [
    path("", views.course_index, name="course"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson"),
    path("lessons/<slug:slug>/images/<str:name>", views.lesson_image, name="lesson-image"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise"),
    path("accounts/sign-up/", views.sign_up, name="sign-up"),
    path("sandbox/status", views.sandbox_status, name="sandbox-status"),
]
