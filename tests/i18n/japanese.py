"""japanese.py - the environment that makes the tools speak Japanese, and the build tree's catalogues.

LANG=ja_JP.UTF-8 when the locale exists (bootstrap.sh generates it); else glibc (2.36 and later) honours
LANGUAGE=ja on the built-in C.UTF-8 locale, which gives the same messages. The tests skip, saying so, only
when neither exists.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analyzer"))
from harness import SKIP  # noqa: E402


def _locales():
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout
    return {name.lower().replace("-", "") for name in out.split()}


def japanese_env():
    """Variables (name -> value) that select Japanese messages; exits with SKIP when no locale can."""
    names = _locales()
    if "ja_jp.utf8" in names:
        return {"LANG": "ja_JP.UTF-8", "LANGUAGE": "", "LC_ALL": ""}
    if "c.utf8" in names:
        print("note: no ja_JP.UTF-8 locale (bootstrap.sh generates it); using LANGUAGE=ja on C.UTF-8")
        return {"LANG": "C.UTF-8", "LANGUAGE": "ja", "LC_ALL": ""}
    print("SKIP: neither the ja_JP.UTF-8 nor the C.UTF-8 locale exists (Debian package 'locales')")
    sys.exit(SKIP)


def english_env():
    """Variables that keep the English messages."""
    return {"LANG": "C", "LANGUAGE": "", "LC_ALL": "C"}


def with_env(extra):
    env = dict(os.environ)
    env.update(extra)
    return env
