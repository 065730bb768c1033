"""The README stays true: it documents every setting and opens with the two commands."""

from pathlib import Path

from videogen.tests.envvars import settings_env_vars

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_documents_every_setting_the_code_reads():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in settings_env_vars() if f"`{name}`" not in readme)
    assert missing == []


def test_the_readme_opens_with_make_run_and_make_test():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block
