from __future__ import annotations

from typing import Any

import factory

from sandan.accounts.models import Membership, User
from sandan.accounts.roles import Role


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"사용자{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@sandan.example.kr")
    password = factory.PostGenerationMethodCall("set_password", "sandan-test-pw-2010")

    @factory.post_generation
    def save_password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()


def user_with_role(role: str = Role.HQ_STAFF, username: str | None = None, **scope: Any) -> User:
    """A user holding one role in one scope (national when no scope is given)."""
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(user=user, role=role, **scope)
    return user
