"""The password policy (issue 13, finding 11: passwords of 4 characters were accepted)."""
import pytest

from engine.accounts import credentials, passwords
from engine.core.errors import InvalidInput


@pytest.mark.parametrize(("password", "why"), [
    ("demo", "minst 12 tegn"),
    ("kort1", "minst 12 tegn"),
    ("aaaaaaaaaaaaaaaa", "forskjellige tegn"),
    ("121212121212", "forskjellige tegn"),
    ("password1234", "vanligste"),
    ("fjord og fjell i mai", None),
    ("Kari.Nordmann-1970", "brukernavnet"),
])
def test_the_policy_names_what_is_wrong(password, why):
    problem = passwords.problem(password, "kari.nordmann")
    assert (problem is None) == (why is None)
    if why:
        assert why in str(problem)


def test_the_common_list_is_compared_case_insensitively():
    assert "vanligste" in str(passwords.problem("PASSWORD1234"))


def test_a_passphrase_is_accepted():
    assert passwords.problem("tre blå hester på jordet", "kari") is None


def test_setting_a_weak_password_is_refused_and_keeps_the_old_one(ctx, make_user):
    user = make_user("kari", "saksbehandler")
    credentials.set_password(ctx, "kari", "en lang nok setning i dag")
    before = user.password_hash
    with pytest.raises(InvalidInput) as refused:
        credentials.set_password(ctx, "kari", "demo")
    assert "password" in refused.value.errors
    assert user.password_hash == before
    assert credentials.authenticate(ctx, "kari", "en lang nok setning i dag") is not None
