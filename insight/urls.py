from django.urls import path

from insight import views

urlpatterns = [
    path("insight/attempts/<int:key>/", views.attempt_page, name="insight-attempt-page"),
    path("insight/bases/<path:key>/explained", views.image_explained, {"source": "bases"}, name="insight-base"),
    path("insight/bases/<path:key>/union", views.union_view, {"source": "bases"}, name="insight-base-union"),
    path("insight/bases/<path:key>/file", views.layer_file, {"source": "bases"}, name="insight-base-file"),
    path("insight/attempts/<int:key>/explained", views.image_explained, {"source": "attempts"},
         name="insight-attempt"),
    path("insight/attempts/<int:key>/union", views.union_view, {"source": "attempts"}, name="insight-attempt-union"),
    path("insight/attempts/<int:key>/file", views.layer_file, {"source": "attempts"}, name="insight-attempt-file"),
    path("insight/attempts/<int:key>/compare", views.compared_with_reference, name="insight-attempt-compare"),
    path("insight/registry/<path:key>/explained", views.image_explained, {"source": "registry"},
         name="insight-registry"),
    path("insight/registry/<path:key>/union", views.union_view, {"source": "registry"}, name="insight-registry-union"),
    path("insight/registry/<path:key>/file", views.layer_file, {"source": "registry"}, name="insight-registry-file"),
]
