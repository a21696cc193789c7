"""test_plugin.py - the plugin in Japanese in tshark (as an unprivileged user, tests/plugin/tshark_harness.py).

On the mismatch sample (samples/README.md: client v6, server v3, the client refuses; version_mismatch) the
Error expert item, the explanation and the advice are in Japanese, from the plugin's own text domain; the
filter fields and the verdict words stay English, so the same display filters and -T fields columns work.
The build tree's catalogues are copied where tshark's user can read them and given as CREDSSP_LOCALEDIR.

usage: test_plugin.py PLUGIN LOCALE_DIR SAMPLES_DIR
"""
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "plugin"))
from japanese import japanese_env  # noqa: E402
from tshark_harness import Checks, Tshark, key_options  # noqa: E402

plugin, locale_dir, samples = sys.argv[1:4]
env = japanese_env()
c = Checks("i18n.plugin")
t = Tshark(plugin)
try:
    catalogues = os.path.join(t.dir, "locale")
    shutil.copytree(locale_dir, catalogues)
    for root, dirs, files in os.walk(catalogues):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    sample = os.path.join(samples, "cell3-mismatch-server-v3-fin")
    pcap, keys = t.add(sample + ".pcap"), key_options(t, keylog=sample + ".keys")
    fields = ["-T", "fields", "-E", "occurrence=a", "-E", "separator=|", "-e", "frame.number", "-e",
              "_ws.expert.message", "-e", "cssp.verdict", "-e", "cssp.explanation", "-e", "cssp.advice"]
    t.locale = [f"{name}={value}" for name, value in env.items()] + ["CREDSSP_LOCALEDIR=" + catalogues]
    ja = t.run("-n", "-r", pcap, *keys, "-Y", "cssp.version_mismatch", *fields)
    t.locale = ["LC_ALL=C"]
    en = t.run("-n", "-r", pcap, *keys, "-Y", "cssp.version_mismatch", *fields)
    c.check(ja.returncode == 0 and ja.stdout.strip(), f"tshark finds the version_mismatch item: {ja.stderr}")
    c.check("CredSSP バージョンの不一致: クライアント (v6) がサーバーの v3 を拒否 (「要求された関数はサポートされて"
            "いません」、イベント 6041)" in ja.stdout, f"the Error expert item in Japanese:\n{ja.stdout}")
    c.check("|version_mismatch|" in ja.stdout, f"the verdict word stays English:\n{ja.stdout}")
    c.check("クライアントはサーバーのバージョンを拒否し、資格情報を送らずに接続を閉じました" in ja.stdout,
            f"the explanation in Japanese:\n{ja.stdout}")
    c.check("「暗号化オラクルの修復」を「脆弱」" in ja.stdout and "「ネットワークレベル認証を行わない」" in ja.stdout,
            f"the advice in Japanese, with the policy's names:\n{ja.stdout}")
    c.check("CredSSP version mismatch: the client (v6) refused the server's v3" in en.stdout,
            f"under LC_ALL=C the same item in English:\n{en.stdout}")
    c.equal([line.split("|")[0] for line in ja.stdout.splitlines()],
            [line.split("|")[0] for line in en.stdout.splitlines()], "the same frames match in both languages")
finally:
    t.close()
c.finish()
