"""Websocket routes. The live sandbox adds its consumer here."""
websocket_urlpatterns: list = []
