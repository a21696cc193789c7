"""test_catalogue.py - every message the code marks for translation is translated, and not fuzzy, in each
po/<lang>.po: the messages are extracted afresh with the build's xgettext options into a scratch .pot and
compared with msgcmp, which counts an untranslated or fuzzy entry as missing; msgfmt --check then checks
the formats (a translated printf format must take the same arguments).

usage: test_catalogue.py SOURCE_DIR XGETTEXT MSGCMP MSGFMT -- XGETTEXT_OPTIONS...
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analyzer"))
from harness import Checks  # noqa: E402

source, xgettext, msgcmp, msgfmt = sys.argv[1:5]
options = sys.argv[sys.argv.index("--") + 1:]
c = Checks("i18n.catalogue")
with tempfile.TemporaryDirectory() as scratch:
    pot = os.path.join(scratch, "messages.pot")
    r = subprocess.run([xgettext, *options, "--output=" + pot], capture_output=True, text=True)
    c.check(r.returncode == 0 and os.path.exists(pot), f"xgettext extracts the messages: {r.stderr}")
    with open(pot, encoding="utf-8") as f:
        extracted = f.read().count('\nmsgid "') - 1  # the header
    c.check(extracted > 250, f"{extracted} messages extracted (the report, the plugin, lib's sentences)")
    with open(os.path.join(source, "po", "LINGUAS")) as f:
        languages = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    c.check("ja" in languages, f"po/LINGUAS lists Japanese: {languages}")
    for lang in languages:
        po = os.path.join(source, "po", lang + ".po")
        r = subprocess.run([msgcmp, po, pot], capture_output=True, text=True)
        c.check(r.returncode == 0, f"{lang}.po translates every message in use (msgcmp):\n{r.stderr}")
        r = subprocess.run([msgfmt, "--check", "--statistics", "--output-file=/dev/null", po],
                           capture_output=True, text=True)
        c.check(r.returncode == 0 and "fuzzy" not in r.stderr and "untranslated" not in r.stderr,
                f"{lang}.po: msgfmt --check passes with no fuzzy or untranslated entry: {r.stderr.strip()}")
c.finish()
