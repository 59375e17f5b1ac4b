from django.urls import path

from registry import views

urlpatterns = [
    path("registry/token", views.registry_token, name="registry-token"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/images/delete/", views.delete_image, name="delete_image"),
]
