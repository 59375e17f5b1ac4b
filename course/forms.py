"""Account forms."""
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sandbox.references import MAX_NAMESPACE_LENGTH, NAMESPACE

USERNAME_RULE = _("Lower-case letters and digits, with . _ or - between them, at most %(length)s characters. It also "
                  "names your images in the course registry (for example ada or ada-lovelace).")


class SignUpForm(UserCreationForm):
    """Sign-up with user names that can name a registry namespace: every image a learner publishes is
    `<registry>/<username>/...`, and Docker's references allow no capitals, spaces or '@' there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = USERNAME_RULE % {"length": MAX_NAMESPACE_LENGTH}

    def clean_username(self) -> str:
        username = super().clean_username()
        if len(username) > MAX_NAMESPACE_LENGTH or not NAMESPACE.match(username):
            raise ValidationError(USERNAME_RULE, code="namespace", params={"length": MAX_NAMESPACE_LENGTH})
        return username
