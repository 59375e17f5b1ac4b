from django.urls import path

from course import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sandbox/status", views.sandbox_status, name="sandbox-status"),
]
