"""Settings: defaults, then the TOML file, then the environment; clear errors for bad input."""
import pytest

from shopfloor.settings import Key, SettingsError, load

KEYS = (
    Key("database.url", "sqlite:///x.db", "db", aliases=("DATABASE_URL",)),
    Key("web.port", 8000, "port", int),
    Key("web.debug", False, "debug", bool),
)


def test_defaults_file_then_env(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[web]\nport = 9000\n[database]\nurl = "sqlite:///file.db"\n')
    settings = load(KEYS, path=path, env={"SHOPFLOOR_WEB_DEBUG": "yes"})
    assert settings["web.port"] == 9000
    assert settings["database.url"] == "sqlite:///file.db"
    assert settings["web.debug"] is True
    assert settings.sources["web.debug"] == "env SHOPFLOOR_WEB_DEBUG"
    env = {"DATABASE_URL": "postgresql://a/b", "SHOPFLOOR_WEB_PORT": "81"}
    settings = load(KEYS, path=path, env=env)
    assert settings["database.url"] == "postgresql://a/b"
    assert settings["web.port"] == 81
    both = load(KEYS, env={"DATABASE_URL": "postgresql://a/b", "SHOPFLOOR_DATABASE_URL": "sqlite:///win.db"})
    assert both["database.url"] == "sqlite:///win.db"


@pytest.mark.parametrize("content, words", [
    ("[web]\nport = 'eighty'\n", "web.port must be int"),
    ("[web]\nprot = 1\n", "unknown key 'web.prot'"),
    ("[web\nport = 1\n", "not valid TOML"),
])
def test_bad_files_name_the_problem(tmp_path, content, words):
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(SettingsError, match=words):
        load(KEYS, path=path, env={})


def test_missing_file_and_bad_env(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load(KEYS, path=tmp_path / "nope.toml", env={})
    with pytest.raises(SettingsError, match="environment SHOPFLOOR_WEB_DEBUG"):
        load(KEYS, env={"SHOPFLOOR_WEB_DEBUG": "maybe"})
