"""Where the class dashboard's websocket lives."""
from django.urls import path

from teaching.consumers import ClassConsumer

websocket_urlpatterns = [
    path("ws/teaching/classes/<int:class_id>/", ClassConsumer.as_asgi()),
]
