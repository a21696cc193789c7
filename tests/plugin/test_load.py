#!/usr/bin/python3
"""test_load.py - the built plugin loads in the installed tshark and registers what the issue asks, under new names.

Usage: test_load.py PLUGIN_SO VERSION [describe]
Checks: the shared object exports exactly the four plugin symbols of the 4.0 ABI, and plugin_describe
when the build found it in Wireshark's headers (the third argument; 4.4 and later); the plugin was built for
the installed tshark's major.minor release; tshark -G plugins lists it with its version (a plugin that does
not load is a failure, not a skip: on another release it would otherwise vanish silently); the protocol, fields (names and types), expert items, heuristics (cssp_tls and cssp_rdg_tls on "tls",
cssp_tcp on "tcp") and the tcp.port 3389 claim are registered, and the built-in credssp dissector and
its heuristics are still there under their own names.
"""
import shutil
import subprocess
import sys

from tshark_harness import Checks, Tshark, plugin_abi

PLUGIN_SYMBOLS = {"plugin_version", "plugin_want_major", "plugin_want_minor", "plugin_register"}

FIELDS = {
    "cssp.version": "FT_UINT32", "cssp.nego_tokens": "FT_UINT32", "cssp.nego_token": "FT_BYTES",
    "cssp.auth_info": "FT_UINT32", "cssp.pub_key_auth": "FT_BYTES", "cssp.error_code": "FT_UINT32",
    "cssp.client_nonce": "FT_BYTES", "cssp.early_auth_result": "FT_UINT32",
    "cssp.client_version": "FT_UINT32", "cssp.client_version_frame": "FT_FRAMENUM",
    "cssp.server_version": "FT_UINT32", "cssp.server_version_frame": "FT_FRAMENUM",
    "cssp.effective_version": "FT_UINT32", "cssp.verdict": "FT_STRING", "cssp.evidence": "FT_STRING",
    "cssp.finding": "FT_STRING", "cssp.explanation": "FT_STRING", "cssp.advice": "FT_STRING",
    "cssp.sender": "FT_STRING", "cssp.requested_protocols": "FT_UINT32", "cssp.selected_protocol": "FT_UINT32",
    "cssp.neg_failure": "FT_UINT32", "cssp.cookie": "FT_STRING",
}


def exported_symbols(path):
    """Defined dynamic symbols, without the ODR markers AddressSanitizer adds to instrumented globals."""
    result = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True, text=True, check=True)
    names = {line.split()[-1] for line in result.stdout.splitlines() if line.strip()}
    return {name for name in names if not name.startswith("__odr_asan")}


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    plugin, version = sys.argv[1], sys.argv[2]
    expected_symbols = PLUGIN_SYMBOLS | ({"plugin_describe"} if sys.argv[3:] == ["describe"] else set())
    checks = Checks("plugin.load")
    if shutil.which("nm"):
        checks.equal(exported_symbols(plugin), expected_symbols, "exported dynamic symbols")
    else:
        print("note: nm not found, exported symbols not checked")
    tshark = Tshark(plugin)
    try:
        plugins = tshark.run("-G", "plugins").stdout
        checks.check(any(line.split()[:2] == ["cssp.so", version] for line in plugins.splitlines()),
                     f"tshark -G plugins lists cssp.so {version}:\n{plugins}")
        checks.equal(plugin_abi(plugin), plugin_abi(None), "built for the installed tshark's release")
        if "cssp.so" not in plugins:
            checks.finish()  # fails: nothing else can be checked

        protocols = {line.split("\t")[2] for line in tshark.run("-G", "protocols").stdout.splitlines()}
        checks.check({"cssp", "credssp"} <= protocols, "protocols cssp and the built-in credssp are both registered")
        checks.check("cssp_rdg" in protocols, "protocol cssp_rdg (RD Gateway) registered")

        fields = {}
        for line in tshark.run("-G", "fields").stdout.splitlines():
            parts = line.split("\t")
            if parts[0] == "F":
                fields.setdefault(parts[2], []).append(parts[3])
        for name, ftype in FIELDS.items():
            checks.equal(fields.get(name), [ftype], f"field {name}")
        checks.equal(sorted(n for n in fields if n.startswith("credssp.") and n in FIELDS), [],
                     "no field shares a name with the built-in dissector")
        checks.check("credssp.version" in fields and "credssp.errorCode" in fields, "built-in credssp fields kept")

        heuristics = {tuple(line.split("\t")[:2]) for line in tshark.run("-G", "heuristic-decodes").stdout.splitlines()}
        for entry in (("tls", "cssp"), ("tcp", "cssp"), ("tls", "credssp"), ("rdp", "credssp"), ("tls", "cssp_rdg")):
            checks.check(entry in heuristics, f"heuristic {entry} registered")

        decodes = {tuple(line.split("\t")) for line in tshark.run("-G", "decodes").stdout.splitlines()}
        checks.check(("tcp.port", "3389", "cssp") in decodes, "tcp.port 3389 is the plugin's")
        # 4.6's TLS takes its port table before heuristics (preference tls.try_heuristic_first): there the
        # plugin's cssp holds TLS's port 3389, elsewhere TLS's own mapping to TPKT is left alone.
        port_table_first = "tls.try_heuristic_first" in tshark.run("-G", "defaultprefs").stdout
        expected = "cssp" if port_table_first else "tpkt"
        checks.check(("tls.port", "3389", expected) in decodes, f"TLS's port 3389 goes to {expected}")

        # the stats tree is registered: an unknown -z would make tshark fail
        empty = tshark.add(__file__)  # any readable non-capture: -z is parsed before the file is opened
        result = tshark.run("-r", empty, "-q", "-z", "cssp,tree")
        checks.check("invalid -z argument" not in result.stderr.lower(), f"-z cssp,tree is accepted: {result.stderr.strip()}")
    finally:
        tshark.close()
    checks.finish()


if __name__ == "__main__":
    main()
