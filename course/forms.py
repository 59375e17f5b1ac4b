"""Account forms."""
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from registry.references import MAX_NAMESPACE_LENGTH, RESERVED_NAMESPACES, can_name_namespace

USERNAME_RULE = _("Lower-case letters and digits, with . _ or - between them, at most %(length)s characters. It also "
                  "names your images in the course registry (for example ada or ada-lovelace).")
NOT_A_NAMESPACE = _("This user name does not follow the rule below.")
RESERVED_NAME = _("%(name)s is kept for the course registry itself, so that nobody's images pass for official "
                  "ones. Please choose another name.")


class SignUpForm(UserCreationForm):
    """Sign-up with user names that can name a registry namespace: every image a learner publishes is
    `<registry>/<username>/...`, and Docker's references allow no capitals, spaces or '@' there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = USERNAME_RULE % {"length": MAX_NAMESPACE_LENGTH}

    def clean_username(self) -> str | None:
        username = self.cleaned_data.get("username", "")
        if username in RESERVED_NAMESPACES:
            raise ValidationError(RESERVED_NAME, code="reserved", params={"name": username})
        if not can_name_namespace(username):
            raise ValidationError(NOT_A_NAMESPACE, code="namespace")
        return super().clean_username()  # None, with the error added, when the name is taken in any case

    def create_user(self) -> User | None:
        """The new account; None, with the form error a taken name gets, when another sign-up took the name between
        validation and saving."""
        try:
            with transaction.atomic():
                return self.save()
        except IntegrityError:
            self.add_error("username", self.instance.unique_error_message(User, ["username"]))
            return None
