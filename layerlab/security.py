"""The Content-Security-Policy of every page: django-csp's middleware, with the policy in
settings.CONTENT_SECURITY_POLICY, plus the page's own host over ws: and wss: in connect-src for the sandbox
websocket. CSP 3 lets 'self' cover those; browsers that predate it do not."""
from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request: HttpRequest, response: HttpResponseBase,
                         report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        try:
            host = request.get_host()
        except DisallowedHost:  # refused already; its error page needs no websocket
            return parts
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"ws://{host}", f"wss://{host}"]
        parts.update = update
        return parts
