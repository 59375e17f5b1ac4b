from django.urls import path

from attempts import views

urlpatterns = [
    path("exercises/<slug:slug>/draft", views.save_draft, name="exercise-draft"),
    path("exercises/<slug:slug>/attempts", views.exercise_attempts, name="exercise-attempts"),
    path("attempts/<int:attempt_id>", views.attempt_detail, name="attempt"),
    path("staff/sandbox/health", views.sandbox_health_page, name="sandbox-health"),
    path("staff/sandbox/health.json", views.sandbox_health, name="sandbox-health-json"),
]
