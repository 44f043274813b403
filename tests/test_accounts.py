"""Local accounts: Argon2id hashes, one message for every refusal, lock-out, roles."""

import pytest
import sqlalchemy as sa

from ptce_geo.store import AccessDenied, AccountError, Store, User, accounts
from ptce_geo.store.schema import utilisateurs

PASSWORD = "correct horse battery"


@pytest.fixture
def engine(tmp_path):
    engine = Store(f"sqlite:///{tmp_path / 'comptes.sqlite3'}").engine
    accounts.add_user(engine, None, "admin@cress.test", "administrateur", PASSWORD, bootstrap=True)
    return engine


def test_a_good_password_signs_in_and_a_bad_one_is_refused_alike(engine):
    assert accounts.authenticate(engine, " Admin@Cress.test ", PASSWORD) == User("admin@cress.test", "administrateur")
    for email, password in (("admin@cress.test", "mauvais mot de passe"), ("inconnu@cress.test", PASSWORD),
                            ("pas une adresse", PASSWORD)):
        with pytest.raises(AccountError, match="^adresse ou mot de passe incorrect$"):
            accounts.authenticate(engine, email, password)


def test_the_password_is_stored_hashed(engine):
    with engine.connect() as db:
        stored = db.execute(sa.select(utilisateurs.c.mot_de_passe)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_an_account_is_locked_after_repeated_failures(engine):
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError, match="incorrect"):
            accounts.authenticate(engine, "admin@cress.test", "essai au hasard")
    with pytest.raises(AccountError, match="compte bloqué"):
        accounts.authenticate(engine, "admin@cress.test", PASSWORD)  # even the right password, for a while


def test_only_an_administrator_manages_accounts(engine):
    editor = accounts.add_user(engine, User("admin@cress.test", "administrateur"), "ed@cress.test", "editeur", PASSWORD)
    with pytest.raises(AccessDenied):
        accounts.add_user(engine, editor, "x@cress.test", "administrateur", PASSWORD)
    with pytest.raises(AccessDenied):
        accounts.add_user(engine, None, "x@cress.test", "administrateur", PASSWORD, bootstrap=True)  # an admin exists
    with pytest.raises(AccountError, match="trop court"):
        accounts.add_user(engine, User("admin@cress.test", "administrateur"), "y@cress.test", "editeur", "court")
    accounts.remove_user(engine, User("admin@cress.test", "administrateur"), "ed@cress.test")
    with pytest.raises(AccountError):
        accounts.authenticate(engine, "ed@cress.test", PASSWORD)


def test_an_openid_connect_user_gets_the_role_of_their_email(engine):
    accounts.add_user(engine, User("admin@cress.test", "administrateur"), "Elue@Ville.test", "editeur")
    assert accounts.role_of(engine, "elue@ville.test") == User("elue@ville.test", "editeur")
    assert accounts.role_of(engine, "visiteur@ailleurs.test").role == "lecteur"
    assert not accounts.role_of(engine, None).can("lecteur")  # nobody signed in
    with pytest.raises(AccountError):  # no password: no local sign-in
        accounts.authenticate(engine, "elue@ville.test", "")
