from django.contrib.auth.backends import ModelBackend

from saksham.people.models import User


class EmailBackend(ModelBackend):
    """Sign in with email (case-insensitive) and password; only active accounts."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip().lower()
        if not email or password is None:
            return None
        user = User.objects.filter(email=email).first()
        if user is None:
            User().set_password(password)  # same work as a real check, so timing tells nothing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
