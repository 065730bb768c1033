import pytest
from django.core.exceptions import ImproperlyConfigured

from videogen.env import env_bool, env_choice, env_float, env_int, env_json, env_list, env_str


def test_it_reads_booleans_in_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("true", True), ("YES", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", not expected) is expected


def test_it_rejects_a_boolean_it_cannot_read_naming_the_variable(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_it_rejects_a_non_integer_naming_the_variable(monkeypatch):
    monkeypatch.setenv("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "thirty")
    with pytest.raises(ImproperlyConfigured, match="JWT_ACCESS_TOKEN_EXPIRE_MINUTES"):
        env_int("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", 30)


def test_it_rejects_an_integer_below_its_minimum(monkeypatch):
    monkeypatch.setenv("PASSWORD_HASH_ROUNDS", "2")
    with pytest.raises(ImproperlyConfigured, match="at least 4"):
        env_int("PASSWORD_HASH_ROUNDS", 12, minimum=4)


def test_it_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    assert env_int("NOPE", 7) == 7
    assert env_list("NOPE", ["a"]) == ["a"]


def test_it_splits_lists_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_an_empty_value_takes_the_default(monkeypatch):
    # docker compose passes unset settings through as empty strings (${NAME:-}).
    monkeypatch.setenv("EMPTY", "")
    assert env_bool("EMPTY", True) is True
    assert env_int("EMPTY", 7) == 7
    assert env_list("EMPTY", ["a"]) == ["a"]
    assert env_str("EMPTY", "default") == "default"
    assert env_choice("EMPTY", "text", ("text", "json")) == "text"
    assert env_float("EMPTY", 0.5) == 0.5
    assert env_json("EMPTY", {}) == {}
