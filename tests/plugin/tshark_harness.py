"""tshark_harness.py - runs tshark 4.0 with the plugin from the build tree, as a user Wireshark accepts.

Wireshark ignores WIRESHARK_PLUGIN_DIR and the personal plugin folder when it runs as root, and CI
runs as root; so as root tshark runs as `nobody` (runuser), with HOME and WIRESHARK_PLUGIN_DIR in a
world-readable scratch folder that holds a copy of the plugin and of every input (the build tree and
the corpus may not be readable by nobody). The plugin is never installed.

WIRESHARK_EXTCAP_DIR points at an empty folder: tshark never starts the extcap helpers, which it does
for -G plugins. In the sanitizer build (-DCSSP_SANITIZE=ON) CMake sets CSSP_PLUGIN_PRELOAD to the ASan
and UBSan runtimes: they are preloaded into tshark so that the instrumented plugin can be loaded (leak
checking is off: tshark itself does not free everything at exit).

The verdicts are compared with the analyzer through tests/analyzer/harness.py, whose Checks class
prints the closing "N passed, N failed" line.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analyzer"))
from harness import SKIP, Checks, corpus_dir, run_json  # noqa: E402,F401  (re-exported for the tests)

UNPRIVILEGED_USER = "nobody"


def plugin_abi(plugin_path):
    """The Wireshark release a plugin was built for, from its build-tree folder plugins/<major.minor>/epan;
    for no plugin, the installed tshark's (its folder must exist for tshark to read it)."""
    if plugin_path:
        return os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(plugin_path))))
    version = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.split()
    return ".".join(version[2].split(".")[:2]) if len(version) > 2 else "0.0"


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


class Tshark:
    """A scratch folder with the plugin (or, for plugin_path None, no plugin at all), and tshark runs."""

    def __init__(self, plugin_path, tshark="tshark"):
        self.tshark = shutil.which(tshark)
        if not self.tshark:
            skip("tshark is not installed (Debian package 'tshark')")
        self.as_root = os.geteuid() == 0
        self.locale = ["LC_ALL=C"]  # NAME=VALUE settings: tests/i18n sets a Japanese locale and the catalogues
        if self.as_root and not shutil.which("runuser"):
            skip("running as root without runuser: Wireshark would not load the plugin")
        self.dir = tempfile.mkdtemp(prefix="cssp-plugin-test-")
        os.chmod(self.dir, 0o755)
        plugin_dir = os.path.join(self.dir, "plugins", plugin_abi(plugin_path), "epan")
        os.makedirs(plugin_dir)
        if plugin_path:
            shutil.copy(plugin_path, os.path.join(plugin_dir, "cssp.so"))
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)
        os.makedirs(os.path.join(self.dir, "extcap"))
        for root, dirs, files in os.walk(self.dir):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o777 if name == "home" else 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def add(self, path):
        """Copies an input file where tshark's user can read it; returns the copy's path."""
        copy = os.path.join(self.dir, os.path.basename(path))
        if not os.path.exists(copy):
            shutil.copy(path, copy)
            os.chmod(copy, 0o644)
        return copy

    def run(self, *args, timeout=600):
        env = ["HOME=" + self.home, "WIRESHARK_PLUGIN_DIR=" + os.path.join(self.dir, "plugins"),
               "WIRESHARK_EXTCAP_DIR=" + os.path.join(self.dir, "extcap"), *self.locale]
        if os.environ.get("CSSP_PLUGIN_PRELOAD"):
            env += ["LD_PRELOAD=" + os.environ["CSSP_PLUGIN_PRELOAD"], "ASAN_OPTIONS=detect_leaks=0"]
        command = ["env", *env, self.tshark, *args]
        if self.as_root:
            command = ["runuser", "-u", UNPRIVILEGED_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def packets(self, pcap, options=(), two_pass=False, display_filter="cssp"):
        """The displayed packets as tshark -T json gives them (frame, tcp and cssp layers; others elided)."""
        args = ["-n", "-r", pcap, *options, "-T", "json", "--no-duplicate-keys", "-J", "frame tcp cssp"]
        if two_pass:
            args.insert(0, "-2")
        if display_filter:
            args += ["-Y", display_filter]
        result = self.run(*args)
        try:
            return [p["_source"]["layers"] for p in json.loads(result.stdout or "[]")], result
        except json.JSONDecodeError:
            return [], result

    def count(self, pcap, display_filter, options=()):
        """How many packets match a display filter."""
        result = self.run("-n", "-r", pcap, *options, "-Y", display_filter, "-T", "fields", "-e", "frame.number")
        return len(result.stdout.split()), result


def key_options(tshark, keylog=None, rsa_key=None):
    """tshark options for a key log or an RSA private key (copied into the scratch folder)."""
    if keylog:
        return ["-o", "tls.keylog_file:" + tshark.add(keylog)]
    if rsa_key:
        return ["-o", 'uat:rsa_keys:"%s",""' % tshark.add(rsa_key)]
    return []


def sample_options(tshark, sample, samples_dir):
    """tshark options for the keys samples/manifest.json gives a sample (a key log or an RSA key), if any."""
    keys = sample.get("keys", {})
    if "keylog" in keys:
        return key_options(tshark, keylog=os.path.join(samples_dir, keys["keylog"]))
    if "rsa_key" in keys:
        return key_options(tshark, rsa_key=os.path.join(samples_dir, keys["rsa_key"]))
    return []


# The plugin's expert items (their field names).
EXPERT_ITEMS = {
    "cssp.server_version.refused", "cssp.version_mismatch", "cssp.version_mismatch.traffic_shape",
    "cssp.client_version.unpatched",
    "cssp.rejected_unpatched_client", "cssp.version.changed", "cssp.field_version",
    "cssp.field_version_inconsistent", "cssp.nla_not_negotiated", "cssp.neg_failure.note",
    "cssp.early_auth_result.denied", "cssp.error_code.note", "cssp.malformed", "cssp.structure",
    "cssp.version.undefined", "cssp.unreassembled", "cssp.verdict.ok", "cssp.auth_failed",
    "cssp.shape_suggests_refusal",
}


def as_list(value):
    """--no-duplicate-keys turns a repeated key into a list; a single one stays as it is."""
    return value if isinstance(value, list) else [value]


LATER_PASS_FIELDS = {"cssp.connection_verdict"}


def cssp_layers(packets):
    """(frame number, cssp layer) of each packet that has one: what must not differ between one pass and two.
    The connection's latest verdict is added only on later passes (docs/plugin.md), so it is left out."""
    result = []
    for layers in packets:
        items = []
        for item in as_list(layers.get("cssp", [])):
            kept = {k: v for k, v in item.items() if k not in LATER_PASS_FIELDS}
            if kept:
                items.append(kept)
        if items:
            result.append((layers["frame"]["frame.number"], items))
    return result


def keys_below(value):
    """Every key in a JSON subtree."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from keys_below(child)
    elif isinstance(value, list):
        for child in value:
            yield from keys_below(child)


def connections(packets):
    """
    Per tcp.stream, in order of first appearance: the last view (cssp.connection), every TSRequest
    version and errorCode, the expert items raised under cssp, and the frames with a TSRequest.
    """
    result = {}
    for layers in packets:
        stream = int(layers["tcp"]["tcp.stream"]) if "tcp" in layers else -1
        frame = int(layers["frame"]["frame.number"])
        for item in as_list(layers.get("cssp", [])):
            c = result.setdefault(stream, {"versions": [], "error_codes": [], "experts": set(), "frames": [],
                                           "view": None, "early_auth": []})
            if "cssp.connection" in item:
                c["view"] = item["cssp.connection"]
            if "cssp.version" in item:
                c["versions"].append(int(item["cssp.version"]))
                c["frames"].append(frame)
            if "cssp.error_code" in item:
                c["error_codes"].append(int(item["cssp.error_code"]))
            if "cssp.early_auth_result" in item:
                c["early_auth"].append(int(item["cssp.early_auth_result"]))
            c["experts"].update(k for k in keys_below(item) if k in EXPERT_ITEMS)
    return result


def view_value(view, key):
    """A field of a cssp.connection view: an int for versions, a list for findings, else the string."""
    if view is None or key not in view:
        return [] if key == "cssp.finding" else None
    if key == "cssp.finding":
        return as_list(view[key])
    if key in ("cssp.client_version", "cssp.server_version", "cssp.effective_version"):
        return int(view[key])
    return view[key]
