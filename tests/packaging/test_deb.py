#!/usr/bin/python3
"""test_deb.py - cpack -G DEB makes installable packages for this machine's Debian and Wireshark.

Usage: test_deb.py BUILD_DIR PLUGIN_BUILT(0|1)
Runs cpack in BUILD_DIR into a scratch folder and reads the packages with dpkg-deb. Expected values come
from the machine, not from the build: the plugin's folder and the library package it must be pinned to
are those of the installed tshark/libwireshark (dpkg -S), the man page is compressed as Debian policy
asks. Installing the packages is tested in fresh chroots (tests/platforms/run.sh), not on this machine.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analyzer"))
from harness import SKIP, Checks  # noqa: E402


def deb_files(deb):
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].lstrip(".") for line in listing.splitlines()}


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True, check=True).stdout.strip()


def installed_libwireshark():
    """(package name, major.minor) of the libwireshark that tshark uses, as dpkg knows it."""
    lib = subprocess.run(["sh", "-c", "ldd \"$(command -v tshark)\" | sed -n 's/.*=> \\(.*libwireshark[^ ]*\\).*/\\1/p'"],
                         capture_output=True, text=True).stdout.strip()
    owner = subprocess.run(["dpkg-query", "-S", os.path.realpath(lib)], capture_output=True, text=True).stdout
    package = owner.split(":")[0] if owner else None
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                             capture_output=True, text=True).stdout if package else ""
    match = re.match(r"(?:\d+:)?(\d+\.\d+)", version)
    return package, match.group(1) if match else None


def main():
    build, plugin_built = sys.argv[1], sys.argv[2] == "1"
    for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not found (Debian package {'cmake' if tool == 'cpack' else 'dpkg-dev'})")
            sys.exit(SKIP)
    c = Checks("packaging.deb")
    out = tempfile.mkdtemp(prefix="cssp-deb-")
    try:
        p = subprocess.run(["cpack", "-G", "DEB", "-B", out], cwd=build, capture_output=True, text=True)
        c.equal(p.returncode, 0, f"cpack -G DEB succeeds: {p.stderr.strip()[-2000:]}")
        tools = glob.glob(os.path.join(out, "credssp-tools_*.deb"))
        c.equal(len(tools), 1, "one credssp-tools package")
        if tools:
            files = deb_files(tools[0])
            for path in ("/usr/bin/credssp-analyze", "/usr/share/man/man1/credssp-analyze.1.gz",
                         "/usr/bin/credssp-probe", "/usr/share/man/man1/credssp-probe.1.gz",
                         "/usr/share/doc/credssp-tools/copyright", "/usr/share/doc/credssp-tools/changelog.gz",
                         "/usr/share/man/ja/man1/credssp-analyze.1.gz",
                         "/usr/share/locale/ja/LC_MESSAGES/credssp-tools.mo"):
                c.check(path in files, f"credssp-tools holds {path}")
            depends = deb_field(tools[0], "Depends")
            for library in ("libpcap0.8", "libssl3", "libglib2.0-0"):
                c.check(library in depends, f"credssp-tools depends on {library}: {depends}")
            c.check("libwireshark" not in depends, "the analyzer does not depend on Wireshark")
        plugins = glob.glob(os.path.join(out, "wireshark-plugin-cssp_*.deb"))
        c.equal(len(plugins), 1 if plugin_built else 0, "a plugin package exactly when the plugin is built")
        if plugins:
            package, release = installed_libwireshark()
            files = deb_files(plugins[0])
            c.check(any(re.fullmatch(rf"/usr/lib/[^/]+/wireshark/plugins/{re.escape(release)}/epan/cssp\.so", f)
                        for f in files), f"the plugin is in Wireshark {release}'s system plugin folder: {sorted(files)}")
            c.check("/usr/share/locale/ja/LC_MESSAGES/credssp-plugin.mo" in files,
                    f"the plugin's Japanese catalogue (its own text domain): {sorted(files)}")
            depends = deb_field(plugins[0], "Depends")
            major, minor = release.split(".")
            c.check(f"{package} (>= {release})" in depends and f"{package} (<< {major}.{int(minor) + 1})" in depends,
                    f"the plugin is pinned to {package} {release}.x: {depends}")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
