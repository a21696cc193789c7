#!/usr/bin/env python3
"""test_probe.py - credssp-probe against loopback servers (127.0.0.1 and ::1 only).

    test_probe.py PROBE SOURCE_DIR [loopback|freerdp-shadow|analyzer ANALYZER]

loopback: the scripted CredSSP server of samples/peers at versions 2-6 (one of them on ::1), a recording
server that checks what the probe sends (one X.224 Connection Request, one TSRequest v6 with an NTLM
NEGOTIATE, never an AUTHENTICATE), and the odd servers of probe_peers.py (TLS only, RDP_NEG_FAILURE,
closing after X.224, never answering, HTTP, bytes that are not TLS, a reply that is not a TSRequest, an
old TLS 1.0 CredSSP 2 server), a real TLS server that is not RDP (openssl s_server), a closed port, a
listener whose queue is full (connect timeout), wire names with terminal escapes, a target file.
(Memcheck: tests/robustness/run_valgrind.py runs the probe of every test here under valgrind.)
freerdp-shadow: the real FreeRDP 2 or 3 server under Xvfb: NLA (CredSSP 6) on 127.0.0.1 and ::1, and TLS only.
analyzer: credssp-analyze names the probe command for the server of a verdict read from the traffic shape.

Expected values come from the servers' own settings (the version and Windows build each one is told to
announce, [MS-CSSP]'s 2-4 / 5-6 rule, the RDP_NEG_FAILURE code it sends), never from the probe's output.
Exit status 77 (skipped) when Debian's /usr/bin/python3 lacks impacket, or for freerdp-shadow when
freerdp-shadow-cli, Xvfb or winpr-hash is missing.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PROBE, SOURCE = sys.argv[1], sys.argv[2]
SUITE = sys.argv[3] if len(sys.argv) > 3 else "loopback"
PEERS = os.path.join(SOURCE, "samples", "peers")
HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = "/usr/bin/python3"
sys.path.insert(0, PEERS)

failures = []
WORK = tempfile.mkdtemp(prefix="probe-test-")
children = []

# What each scripted server is told to announce: CredSSP version -> NTLM VERSION (Windows build).
BUILDS = {2: "6.1.7601", 3: "6.3.9600", 4: "10.0.14393", 5: "6.1.7601", 6: "10.0.17763"}


def check(cond, what):
    print("%s: %s" % ("ok" if cond else "FAIL", what), flush=True)
    if not cond:
        failures.append(what)


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for(path, proc, seconds=15):
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(path):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def wait_listening(host, port, seconds=15):
    """Connects once the server listens (that connection is one of those it serves)."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing listens on %s port %d" % (host, port))


def start(argv, ready, log_name):
    log = open(os.path.join(WORK, log_name), "w")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    children.append(proc)
    if not wait_for(ready, proc):
        raise RuntimeError("%s did not start: %s" % (argv[1], open(log.name).read()))
    return proc


def certificate(name):
    key, cert = os.path.join(WORK, name + ".key"), os.path.join(WORK, name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=%s" % name], check=True, capture_output=True)
    return cert, key


def credssp_server(version, port, bind="127.0.0.1", connections=1, extra=()):
    cert, key = CERT
    ready = os.path.join(WORK, "ready-%s-%d" % (version, port))
    return start([SYSTEM_PYTHON, os.path.join(PEERS, "credssp_server.py"), "--bind", bind, "--port", str(port),
                  "--connections", str(connections), "--ready-file", ready, "--credssp-version", str(version),
                  "--build", BUILDS[version], "--user", "alice", "--password", "unused-by-the-probe",
                  "--cert", cert, "--key", key] + list(extra), ready, "server-v%s-%d.log" % (version, port))


def peer(mode, port, bind="127.0.0.1", record=None):
    cert, key = CERT
    ready = os.path.join(WORK, "ready-%s-%d" % (mode, port))
    argv = [SYSTEM_PYTHON, os.path.join(HERE, "probe_peers.py"), mode, "--bind", bind, "--port", str(port),
            "--ready-file", ready, "--cert", cert, "--key", key]
    if record:
        argv += ["--record", record]
    return start(argv, ready, "peer-%s-%d.log" % (mode, port))


def probe(*args, timeout=60):
    started = time.time()
    done = subprocess.run([PROBE] + list(args), capture_output=True, timeout=timeout)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"), time.time() - started


def probe_json(*args, **kw):
    rc, out, err, elapsed = probe("--json", *args, **kw)
    lines = [json.loads(line) for line in out.splitlines()]
    return rc, lines, err, elapsed


def finish(procs):
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ---- loopback suite -------------------------------------------------------------------------------


def test_versions():
    """Versions 2-6, one JSON run over all of them (3 at a time), v3 also on ::1; then text runs."""
    targets, servers = [], []
    for version in (2, 3, 4, 5, 6):
        port = free_port()
        servers.append((version, credssp_server(version, port, connections=2 if version in (3, 6) else 1)))
        targets.append(("127.0.0.1:%d" % port, version))
    port6 = free_port(socket.AF_INET6, "::1")
    servers.append((3, credssp_server(3, port6, bind="::1")))
    targets.append(("[::1]:%d" % port6, 3))
    rc, lines, err, _ = probe_json("-J", "3", *[t for t, _ in targets])
    check(rc == 1, "versions: exit status 1 when a server is unpatched (got %d, stderr %r)" % (rc, err))
    check([line["target"] for line in lines] == [t for t, _ in targets], "versions: one JSON line per target, in order")
    for line, (target, version) in zip(lines, targets):
        expected = "server_unpatched" if version <= 4 else "patched"
        major, minor, build = BUILDS[version].split(".")
        check(line["server_version"] == version,
              "%s: server_version %d (got %r)" % (target, version, line["server_version"]))
        check(line["judgement"] == expected, "%s: judgement %s (got %r)" % (target, expected, line["judgement"]))
        check(("server_unpatched" in line["findings"]) == (version <= 4),
              "%s: finding server_unpatched iff v2-4" % target)
        check(line["server_os"] == "%s.%s.%s" % (major, minor, build), "%s: server_os %s" % (target, BUILDS[version]))
        check(line["requested_protocols"] == ["SSL", "HYBRID", "HYBRID_EX"],
              "%s: requested SSL|HYBRID|HYBRID_EX" % target)
        check(line["selected_protocol"] == "HYBRID_EX", "%s: the scripted server selects HYBRID_EX" % target)
        check(line["tls"] is not None and line["tls"]["version"] in ("1.2", "1.3") and
              line["tls"]["cipher"].startswith("TLS_"), "%s: TLS version and IANA cipher name" % target)
        check(line["certificate_subject"] == "CN=probe-test-server", "%s: certificate subject" % target)
        # credssp_server.py's defaults (--domain LAB, --computer RDSRV) and the DNS names ntlm_session.py derives
        check(line["ntlm_target"] == {"target_name": "LAB", "netbios_computer": "RDSRV", "netbios_domain": "LAB",
                                      "dns_computer": "rdsrv.lab.test", "dns_domain": "lab.test",
                                      "dns_tree": "lab.test"},
              "%s: the CHALLENGE's target names (got %r)" % (target, line["ntlm_target"]))
        check(line["error"] is None and line["problem"] is None, "%s: no error" % target)
        check(expected != "patched" or "Encryption Oracle Remediation" in line["explanation"],
              "%s: a patched verdict says what the version cannot tell" % target)
        check(line["server"] == target, "%s: the address connected to" % target)
    for version, port in ((3, int(targets[1][0].split(":")[1])), (6, int(targets[4][0].split(":")[1]))):
        rc, out, _, _ = probe("127.0.0.1:%d" % port)
        word = "server_unpatched" if version == 3 else "patched"
        check(rc == (1 if version == 3 else 0), "text v%d: exit status %d" % (version, 1 if version == 3 else 0))
        check("CredSSP      server v%d" % version in out and "judgement    %s" % word in out,
              "text v%d: version and judgement in the text report" % version)
    finish([p for _, p in servers])
    for version, proc in servers:
        log = open(proc.log_path).read()
        check("client left after the CHALLENGE" in log and "logon failure" not in log and "complete" not in log,
              "v%d server log: the probe left after the CHALLENGE, no AUTHENTICATE reached it" % version)


def test_what_is_sent():
    """The recorder: one Connection Request, one TSRequest v6 with an NTLM NEGOTIATE, nothing else."""
    import rdp_wire
    port, record = free_port(), os.path.join(WORK, "record.json")
    proc = peer("recorder", port, record=record)
    rc, lines, _, _ = probe_json("127.0.0.1:%d" % port)
    finish([proc])
    check(rc == 0 and lines and lines[0]["judgement"] == "patched", "recorder: judged patched (it answers v6)")
    sent = json.load(open(record))
    x224 = bytes.fromhex(sent["x224"])
    check(x224[:2] == b"\x03\x00" and int.from_bytes(x224[2:4], "big") == len(x224) == 19,
          "sent: one TPKT of 19 bytes (no cookie, no routing token)")
    check(x224[5] == 0xE0 and x224[11] == 0x01 and int.from_bytes(x224[15:19], "little") == 0x0B,
          "sent: X.224 Connection Request with RDP_NEG_REQ SSL|HYBRID|HYBRID_EX")
    plain = bytes.fromhex(sent["plaintext"])
    total = rdp_wire.der_total_length(plain)
    check(total == len(plain), "sent: exactly one DER element inside TLS (%d bytes)" % len(plain))
    request = rdp_wire.decode_tsrequest(plain)
    check(request["version"] == 6, "sent: TSRequest version 6")
    tokens = request["nego_tokens"]
    check(len(tokens) == 1 and tokens[0][:8] == b"NTLMSSP\0" and int.from_bytes(tokens[0][8:12], "little") == 1,
          "sent: one negoToken, an NTLM NEGOTIATE (type 1)")
    check(request["auth_info"] is None and request["pub_key_auth"] is None and request["client_nonce"] is None,
          "sent: no authInfo, no pubKeyAuth, no clientNonce")
    check(b"NTLMSSP\0\x03\0\0\0" not in plain and b"NTLMSSP\0\x03" not in x224, "sent: never an NTLM AUTHENTICATE")
    flags = int.from_bytes(tokens[0][12:16], "little")
    check(not flags & 0x02000000 and len(tokens[0]) == 32,
          "sent: the NEGOTIATE carries no VERSION, domain or workstation of the probing machine")
    check(sent["ended_by"] == "peer sent close_notify",
          "sent: the probe ends with close_notify (got %r)" % sent["ended_by"])


def test_odd_servers():
    cases = [  # mode, expected exit status, judgement, error
        ("tls-only", 0, "no_nla", None),
        ("neg-failure", 0, "negotiation_failed", None),
        ("close-after-x224", 2, None, "closed"),
        ("http", 2, None, "not_rdp"),
        ("tls-garbage", 2, None, "tls_failed"),
        ("bad-reply", 2, None, "bad_reply"),
        ("old-server", 1, "server_unpatched", None),
    ]
    for mode, status, judgement, error in cases:
        port = free_port()
        proc = peer(mode, port)
        rc, lines, _, _ = probe_json("127.0.0.1:%d" % port)
        finish([proc])
        line = lines[0] if lines else {}
        check(rc == status, "%s: exit status %d (got %d)" % (mode, status, rc))
        check(line.get("judgement") == judgement and line.get("error") == error,
              "%s: judgement %r, error %r (got %r, %r: %r)" % (mode, judgement, error, line.get("judgement"),
                                                             line.get("error"), line.get("problem")))
        if mode == "tls-only":
            check(line["selected_protocol"] == "SSL" and line["tls"] is not None and "nla_not_used" in line["findings"]
                  and line["server_version"] is None, "tls-only: SSL selected, TLS reported, no CredSSP")
        if mode == "neg-failure":
            check(line["negotiation_failure"] == "SSL_NOT_ALLOWED_BY_SERVER", "neg-failure: the failure code's name")
        if mode == "old-server":
            check(line["tls"] and line["tls"]["version"] == "1.0" and line["server_version"] == 2 and
                  line["server_os"] == "6.1.7601" and "legacy_tls" in line["findings"],
                  "old-server: TLS 1.0 (security level 0) reached, CredSSP 2, finding legacy_tls (got %r)" % line)
        if mode == "http":
            check("48 54 54 50" in line["problem"], "http: the problem quotes the first bytes (HTTP)")
    # a server that never answers: the overall timeout
    port = free_port()
    proc = peer("silent", port)
    rc, lines, _, elapsed = probe_json("--timeout", "1", "127.0.0.1:%d" % port)
    proc.kill()
    finish([proc])
    # the bounds leave room for valgrind's start-up (run_valgrind.py); the default timeout is 15 s
    check(rc == 2 and lines and lines[0]["error"] == "timeout" and "waiting for" in lines[0]["problem"] and
          0.9 < elapsed < 12, "silent: error timeout after --timeout 1 (%.1f s)" % elapsed)
    # a real TLS server that is not RDP (OpenSSL closes on the X.224 bytes without an alert); its first
    # accepted connection is the readiness check
    port = free_port()
    cert, key = CERT
    s_server = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", cert, "-key", key,
                                 "-naccept", "2", "-quiet"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    children.append(s_server)
    wait_listening("127.0.0.1", port)
    rc, lines, _, _ = probe_json("127.0.0.1:%d" % port)
    finish([s_server])
    check(rc == 2 and lines and lines[0]["error"] == "closed" and "does not speak RDP" in lines[0]["problem"],
          "openssl s_server: closed without answering the Connection Request, said to be no RDP server (%r)"
          % (lines[0] if lines else None,))


def test_connection_errors():
    port = free_port()
    rc, lines, _, _ = probe_json("127.0.0.1:%d" % port, "[::1]:%d" % free_port(socket.AF_INET6, "::1"))
    check(rc == 2 and [line["error"] for line in lines] == ["refused", "refused"], "closed port: refused (IPv4, IPv6)")
    # a listener whose accept queue is full: Linux drops the SYN, the connection times out
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(listener.getsockname())
        except BlockingIOError:
            pass
        fillers.append(s)
    time.sleep(0.3)
    rc, lines, _, elapsed = probe_json("--connect-timeout", "1", "127.0.0.1:%d" % listener.getsockname()[1])
    check(rc == 2 and lines and lines[0]["error"] == "timeout" and lines[0]["problem"].startswith("connecting") and
          0.9 < elapsed < 12, "full accept queue: connect timeout after --connect-timeout 1 (%.1f s)" % elapsed)
    for s in fillers + [listener]:
        s.close()
    rc, lines, _, _ = probe_json("127.0.0.1:65536", "[::1", "localhost:0", "[::1]x")
    check(rc == 2 and [line["error"] for line in lines] == ["bad_target"] * 4,
          "bad targets: one error line each (got %r)" % [line["error"] for line in lines])
    rc, _, err, _ = probe("--jobs", "0", "127.0.0.1")
    check(rc == 2 and "--jobs" in err, "usage error: exit status 2 with a message")
    rc, _, err, _ = probe("-f", os.path.join(WORK, "no-such-file"))
    check(rc == 2 and "no-such-file" in err, "unreadable target file: exit status 2, the file named")


def test_target_file_and_names():
    """A target file (comments, blanks, a refused port) and wire names with terminal escapes."""
    port, closed = free_port(), free_port()
    evil_domain = "LAB\x1b]0;owned\x07\u202eX"
    proc = credssp_server(4, port, connections=2, extra=["--domain", evil_domain])
    targets = os.path.join(WORK, "targets.txt")
    with open(targets, "w") as f:
        f.write("# servers\n\n  127.0.0.1:%d  \n127.0.0.1:%d\n" % (port, closed))
    rc, lines, _, _ = probe_json("-f", targets)
    check(rc == 2 and [line["target"] for line in lines] == ["127.0.0.1:%d" % port, "127.0.0.1:%d" % closed],
          "-f: the file's targets in order; an error (2) wins over an unpatched server (1)")
    check(lines and lines[0]["ntlm_target"]["netbios_domain"] == evil_domain,
          "JSON keeps the wire name exactly (escaped by JSON)")
    rc, out, _, _ = probe("127.0.0.1:%d" % port)
    finish([proc])
    check(rc == 1 and "\x1b" not in out and "\x07" not in out and "\u202e" not in out,
          "text: no raw control or bidi characters from the wire reach the terminal")
    check("LAB\\x1b]0;owned\\x07\\xe2\\x80\\xaeX" in out, "text: they are shown as visible escapes")


def first_program(*names):
    """The first of these programs on PATH (FreeRDP 3 adds a 3 to its programs' names), or None."""
    return next((path for path in map(shutil.which, names) if path), None)


def freerdp_shadow_suite():
    shadow_cli = first_program("freerdp-shadow-cli", "freerdp-shadow-cli3")
    winpr_hash = first_program("winpr-hash", "winpr-hash3")
    if not (shadow_cli and winpr_hash and shutil.which("Xvfb")):
        skip("freerdp-shadow-cli, Xvfb and winpr-hash are needed (Debian freerdp2-shadow-x11 or freerdp3-shadow-x11, "
             "xvfb, winpr-utils or winpr3-utils)")
    # -displayfd: Xvfb picks a free display itself and writes its number (no race with other X servers)
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "64x64x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,))
    children.append(xvfb)
    os.close(write_end)
    with os.fdopen(read_end) as displayfd:
        number = int(displayfd.readline())
    for _ in range(100):
        if os.path.exists("/tmp/.X11-unix/X%d" % number):
            break
        time.sleep(0.05)
    config = os.path.join(WORK, "xdg", "freerdp", "shadow")
    os.makedirs(config)
    cert, key = CERT
    shutil.copy(cert, os.path.join(config, "shadow.crt"))
    shutil.copy(key, os.path.join(config, "shadow.key"))
    sam = os.path.join(WORK, "sam")
    with open(sam, "w") as f:
        subprocess.run([winpr_hash, "-u", "alice", "-p", "unused-by-the-probe", "-f", "sam"], stdout=f, check=True)
    env = dict(os.environ, DISPLAY=":%d" % number, XDG_CONFIG_HOME=os.path.join(WORK, "xdg"), HOME=WORK)
    for family, host, bind in ((socket.AF_INET, "127.0.0.1", []), (socket.AF_INET6, "::1", ["/bind-address:[::1]"]),
                               (socket.AF_INET, "127.0.0.1", ["/sec:tls"])):
        tls_only = "/sec:tls" in bind
        port = free_port(family, host)
        target = "%s:%d" % (host if family == socket.AF_INET else "[::1]", port)
        for attempt in range(3):  # it rarely fails to start (samples/record.sh retries too)
            log = os.path.join(WORK, "shadow-%d-%d.log" % (port, attempt))
            security = [] if tls_only else ["/sec:nla", "+auth", "/sam-file:" + sam]
            shadow = subprocess.Popen([shadow_cli, "/port:%d" % port] + security + bind, env=env,
                                      stdout=open(log, "w"), stderr=subprocess.STDOUT)
            children.append(shadow)
            try:
                wait_listening(host, port, seconds=20)  # slow to start on a loaded machine
                break
            except RuntimeError:
                shadow.kill()
                shadow.wait()
                print("freerdp-shadow-cli did not start (attempt %d): %s" % (attempt + 1, open(log).read()[-400:]))
        else:
            check(False, "freerdp-shadow-cli starts on %s" % target)
            continue
        rc, lines, err, _ = probe_json(target)
        line = lines[0] if lines else {}
        if tls_only:  # a server that selects TLS only: no CredSSP
            check(rc == 0 and line.get("judgement") == "no_nla" and line.get("selected_protocol") == "SSL" and
                  line.get("tls") is not None and line.get("server_version") is None,
                  "freerdp-shadow /sec:tls %s: no_nla, SSL selected, TLS reported (got %d, %r)" % (target, rc, line))
            shadow.terminate()
            shadow.wait(timeout=10)
            continue
        check(rc == 0 and line.get("server_version") == 6 and line.get("judgement") == "patched",
              "freerdp-shadow %s: CredSSP 6, patched, exit status 0 (got %d, %r, %r)" % (target, rc, line, err))
        check(line.get("selected_protocol") == "HYBRID", "freerdp-shadow %s: selects HYBRID" % target)
        rc, out, _, _ = probe(target)
        check(rc == 0 and "CredSSP      server v6" in out and "judgement    patched" in out,
              "freerdp-shadow %s: text report" % target)
        shadow.terminate()
        shadow.wait(timeout=10)
        shadow_log = open(log).read()
        check("client authentication failure" in shadow_log and "alice" not in shadow_log,
              "freerdp-shadow %s: its log shows an ended NLA exchange, no user name (docs/user-guide.md 7)" % target)
    xvfb.terminate()
    xvfb.wait(timeout=10)


def analyzer_suite(analyzer):
    """samples/README.md: the keyless mismatch is incomplete from the traffic shape, the IPv6 one (with its key
    log) decrypted; server 127.0.0.1:3389 and [::1]:3389."""
    samples = os.path.join(SOURCE, "samples")
    for name, keys, command in (("cell3-mismatch-server-v3-fin-nokeys", False, "credssp-probe 127.0.0.1:3389"),
                                ("cell3-mismatch-server-v4-ipv6", False, "credssp-probe '[::1]:3389'"),
                                ("cell3-mismatch-server-v4-ipv6", True, None)):
        args = [analyzer, "--json"] + (["-k", os.path.join(samples, name + ".keys")] if keys else [])
        done = subprocess.run(args + [os.path.join(samples, name + ".pcap")], capture_output=True, text=True)
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        check(len(lines) == 1 and lines[0]["probe_command"] == command,
              "analyzer on %s (%s): probe_command %r (got %r)" % (name, "key log" if keys else "no keys", command,
                                                                  lines[0]["probe_command"] if lines else None))
        if command:
            text = subprocess.run(args[:1] + args[2:] + [os.path.join(samples, name + ".pcap")], capture_output=True,
                                  text=True).stdout
            check("    confirm      %s  (" % command in text, "analyzer text on %s: the confirm line" % name)


def main():
    if SUITE == "analyzer":
        analyzer_suite(sys.argv[4])
        print("%d failure(s)" % len(failures))
        return 1 if failures else 0
    if subprocess.run([SYSTEM_PYTHON, "-c", "import impacket"], capture_output=True).returncode != 0:
        skip("Debian's /usr/bin/python3 has no impacket (package python3-impacket): the scripted servers need it")
    global CERT
    CERT = certificate("probe-test-server")
    try:
        if SUITE == "freerdp-shadow":
            freerdp_shadow_suite()
        else:
            test_versions()
            test_what_is_sent()
            test_odd_servers()
            test_connection_errors()
            test_target_file_and_names()
    finally:
        for proc in children:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(WORK, ignore_errors=True)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
