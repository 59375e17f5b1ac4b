from django.urls import path

from attempts import views

urlpatterns = [
    path("exercises/<slug:slug>/draft", views.save_draft, name="exercise-draft"),
    path("exercises/<slug:slug>/attempts", views.exercise_attempts, name="exercise-attempts"),
    path("attempts/<int:attempt_id>", views.attempt_detail, name="attempt"),
]
