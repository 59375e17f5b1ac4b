from django.contrib import admin
from django.urls import include, path

from registry.views import registry_token

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/token", registry_token, name="registry-token"),
    path("", include("course.urls")),
]
