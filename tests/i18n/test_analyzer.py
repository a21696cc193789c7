"""test_analyzer.py - credssp-analyze and credssp-probe in Japanese, and the machine interface unchanged.

On the mismatch sample (samples/README.md: scripted client v6 -> scripted server v3, the client refuses;
version_mismatch, decrypted) the Japanese report explains the refusal with the Windows message as Windows
shows it in Japanese and gives the three remedies of the administrators' article with the names of the
Japanese Group Policy editor; the verdict words stay English; --json is byte for byte the English one.
The tools in the build tree find the build's catalogues next to them (build/share/locale).

usage: test_analyzer.py ANALYZER PROBE SAMPLES_DIR
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from japanese import english_env, japanese_env, with_env  # noqa: E402
from harness import Checks  # noqa: E402

analyzer, probe, samples = sys.argv[1:4]
ja, en = japanese_env(), english_env()
c = Checks("i18n.analyzer")
sample = os.path.join(samples, "cell3-mismatch-server-v3-fin")
inputs = ["--no-progress", "-k", sample + ".keys", sample + ".pcap"]


def run(env, *args):
    return subprocess.run(list(args), capture_output=True, env=with_env(env), timeout=300)


text = run(ja, analyzer, *inputs)
out = text.stdout.decode("utf-8")
c.equal(text.returncode, 1, "the mismatch sample: exit status 1 in Japanese too")
c.check("判定         version_mismatch (根拠: decrypted; 所見: server_unpatched)" in out,
        f"the verdict line: Japanese labels, English verdict, evidence and finding words:\n{out}")
c.check("クライアントは CredSSP v6、サーバーは v3 を提示" in out, f"the explanation gives both versions:\n{out}")
c.check("「要求された関数はサポートされていません」" in out,
        f"the explanation quotes the Windows message as Windows shows it in Japanese:\n{out}")
advice = next((line for line in out.splitlines() if line.startswith("    対処: ")), "")
for words in ("CVE-2018-0886 の CredSSP 更新プログラム", "「暗号化オラクルの修復」を「脆弱」", "推奨されません",
              "「ネットワークレベル認証を行わない」", "ポートを枯渇"):
    c.check(words in advice, f"the advice has {words!r}: {advice!r}")
c.check("The client offered" not in out and "Update the server" not in out, "no English sentence left")

english = run(en, analyzer, *inputs).stdout.decode("utf-8")
c.check("The client offered CredSSP v6 and the server v3" in english, "LANG=C keeps the English report")

json_ja = run(ja, analyzer, "--json", *inputs)
json_en = run(en, analyzer, "--json", *inputs)
c.check(json_ja.stdout == json_en.stdout and json_en.stdout.startswith(b"{"),
        "--json is byte for byte the same under LANG=ja_JP.UTF-8 and LANG=C")
c.check(b'"explanation":"The client offered CredSSP v6' in json_ja.stdout, "JSON keeps the English explanation")

nokeys = run(ja, analyzer, "--no-progress", os.path.join(samples, "cell3-mismatch-server-v3-fin-nokeys.pcap"))
out = nokeys.stdout.decode("utf-8")
c.check("更新済みのクライアントが未更新のサーバーのバージョンを拒否したときの形です" in out,
        f"the traffic-shape verdict explained in Japanese, whole:\n{out}")

helptext = run(ja, analyzer, "--help").stdout.decode("utf-8")
c.check("認証エラーが発生しました。要求された関数はサポートされていません。" in helptext and
        "原因は CredSSP 暗号化オラクルの修復である可能性があります。" in helptext,
        f"--help quotes the Windows message in Japanese:\n{helptext}")
c.check("NSS キー ログ" in helptext, f"--help describes the options in Japanese:\n{helptext}")
missing = run(ja, analyzer, "--no-progress", "--json", os.path.join(samples, "no-such-file.pcap"))
err = missing.stderr.decode("utf-8")
c.check(missing.returncode == 2 and "no-such-file.pcap: " in err and "No such file" not in err,
        f"an unreadable input is reported in Japanese, exit status 2: {err!r}")
usage = run(ja, analyzer)
c.check("キャプチャ ファイルもインターフェースも指定されていません" in usage.stderr.decode("utf-8"),
        f"a usage error in Japanese: {usage.stderr!r}")
probe_help = run(ja, probe, "--help").stdout.decode("utf-8")
c.check("RDP サーバーに CredSSP バージョンを問い合わせる" in probe_help, f"credssp-probe --help in Japanese:\n{probe_help}")
c.finish()
