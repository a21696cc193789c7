#!/bin/bash
# record.sh - records every capture in samples/ again, on a fresh Debian 12 machine, as root.
#
# Real peers where real software produces the case (FreeRDP 2 xfreerdp and
# freerdp-shadow-cli, impacket's rdp_check.py), the scripted peers in
# samples/peers/ for the cells no open-source peer reproduces (unpatched
# servers, a patched Windows client refusing them, a server on "Force Updated
# Clients"). Everything runs on loopback (127.0.0.1 / ::1) and is captured with
# tcpdump on lo. TLS secrets come from Python's ssl module or, for FreeRDP and
# impacket, from samples/keylog-preload. The expected facts of every file are in
# samples/manifest.json; tests/samples/check_samples.py checks them with tshark.
#
# Usage: sudo samples/record.sh [OUTPUT_DIR]   (default: the samples/ folder itself)
# Set RECORD_SKIP_INSTALL=1 to skip apt-get when the packages are already there, RECORD_KEEP_WORK=1 to
# keep the work folder (peer logs, full key logs) for a look after a failure, RECORD_ONLY=gateway (or
# another record_* group name) to record only that group.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1   # keep samples/peers free of __pycache__

SAMPLES_DIR=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$SAMPLES_DIR}" && cd "${1:-$SAMPLES_DIR}" && pwd)
PEERS=$SAMPLES_DIR/peers
PY=/usr/bin/python3            # Debian's python: impacket and the scripted peers need its packages
RDP_CHECK=/usr/share/doc/python3-impacket/examples/rdp_check.py
WORK=$(mktemp -d /tmp/cssp-record.XXXXXX)
PRELOAD=$WORK/keylog_preload.so
DISPLAY_NUMBER=                # set by start_display: the first free X display from :99
ACCOUNT=alice
PASSWORD=Secret-2018
WRONG_PASSWORD=Wrong-2018

log() { printf 'record: %s\n' "$*" >&2; }

# Ends what this script started and is still running: its own background jobs, by process id.
stop_started() {
    local pid
    for pid in $(jobs -p); do
        kill "$pid" 2>/dev/null || true
    done
}

cleanup() {
    stop_started
    if [ "${RECORD_KEEP_WORK:-0}" = 1 ]; then log "work files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

install_packages() {
    [ "${RECORD_SKIP_INSTALL:-0}" = 1 ] && return
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
        freerdp2-shadow-x11 freerdp2-x11 winpr-utils xvfb python3-impacket python3-openssl \
        python3-cryptography tcpdump tshark iproute2 openssl gcc libc6-dev libssl-dev >/dev/null
}

build_preload() {
    cc -std=c11 -O2 -Wall -Wextra -fPIC -shared -o "$PRELOAD" \
        "$SAMPLES_DIR/keylog-preload/keylog_preload.c" -ldl -lssl -lcrypto
}

# Throwaway RSA-2048 certificates made for this recording only.
make_certificate() { # NAME CN
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=$2" \
        -keyout "$WORK/$1.key.pem" -out "$WORK/$1.crt.pem" 2>/dev/null
}

wait_listening() { # PORT
    local i
    for i in $(seq 100); do
        ss -Hltn "sport = :$1" | grep -q . && return 0
        sleep 0.1
    done
    log "nothing listens on port $1"
    return 1
}

wait_closed() { # PORT
    local i
    for i in $(seq 100); do
        ss -Hltn "sport = :$1" | grep -q . || return 0
        sleep 0.1
    done
    return 1
}

# ---- capture -------------------------------------------------------------------

CAPTURE_PID=
capture_start() { # NAME BPF
    : >"$WORK/tcpdump.err"
    tcpdump -i lo -Z root --immediate-mode -U -s 0 -w "$WORK/$1.pcap" "$2" 2>"$WORK/tcpdump.err" &
    CAPTURE_PID=$!
    local i
    for i in $(seq 100); do
        grep -q 'listening on' "$WORK/tcpdump.err" && return 0
        sleep 0.1
    done
    log "tcpdump did not start"
    return 1
}

capture_stop() {
    sleep 0.5                               # let the last FIN/ACK reach the capture
    kill -INT "$CAPTURE_PID"
    wait "$CAPTURE_PID" || true
}

# Keeps the key-log lines of exactly the TLS sessions in the capture.
keys_for() { # PCAP PORT OUT_KEYS KEYLOG...
    local pcap=$1 port=$2 out=$3
    shift 3
    tshark -r "$pcap" -d "tcp.port==$port,tls" -Y 'tls.handshake.type == 1' \
        -T fields -e tls.handshake.random 2>/dev/null | tr -d ':' | tr 'A-F' 'a-f' >"$WORK/randoms"
    cat "$@" 2>/dev/null | grep -i -F -f "$WORK/randoms" | sort -u >"$out" || true
    [ -s "$out" ] || { log "no key-log lines for $pcap"; return 1; }
}

publish() { # NAME PORT [KEYLOG...]: copies the capture (and its keys) to OUT
    local name=$1 port=$2
    shift 2
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    if [ $# -gt 0 ]; then
        keys_for "$OUT/$name.pcap" "$port" "$OUT/$name.keys" "$@"
    fi
    log "$name.pcap: $(stat -c %s "$OUT/$name.pcap") bytes"
}

# ---- peers -----------------------------------------------------------------------

SERVER_PID=
scripted_server() { # PORT ARGS... (runs in the background until it served its connections)
    local port=$1
    shift
    rm -f "$WORK/server.ready"
    "$PY" "$PEERS/credssp_server.py" --port "$port" --ready-file "$WORK/server.ready" \
        --cert "$WORK/scripted.crt.pem" --key "$WORK/scripted.key.pem" \
        --user "$ACCOUNT" --password "$PASSWORD" --keylog "$WORK/server.keys" "$@" &
    SERVER_PID=$!
    local i
    for i in $(seq 100); do
        [ -f "$WORK/server.ready" ] && return 0
        sleep 0.1
    done
    return 1
}

scripted_server_done() {
    wait "$SERVER_PID" || true
}

scripted_client() { # ARGS... (exit status ignored: refusals end with 2)
    "$PY" "$PEERS/credssp_client.py" --user "$ACCOUNT" --keylog "$WORK/client.keys" "$@" || true
}

impacket_client() { # PASSWORD [ENV...]: rdp_check.py always connects to 127.0.0.1:3389
    env LD_PRELOAD="$PRELOAD" SSLKEYLOGFILE="$WORK/client.keys" "${@:2}" \
        "$PY" "$RDP_CHECK" "$ACCOUNT:$1@127.0.0.1" >/dev/null 2>&1 || true
}

xfreerdp_client() { # HOST[:PORT] PASSWORD SEC [ENV...]
    env DISPLAY=$DISPLAY_NUMBER XDG_CONFIG_HOME="$WORK/xdg" HOME="$WORK/home" \
        LD_PRELOAD="$PRELOAD" SSLKEYLOGFILE="$WORK/client.keys" "${@:4}" \
        timeout 30 xfreerdp "/v:$1" "/u:$ACCOUNT" "/p:$2" "/sec:$3" /cert:ignore +auth-only \
        >>"$WORK/xfreerdp.log" 2>&1 || true
}

SHADOW_PID=
shadow_server() { # PORT ARGS... [ENV via SHADOW_ENV array]; tries three times, it rarely fails to start
    local port=$1 attempt
    shift
    for attempt in 1 2 3; do
        : >"$WORK/shadow.log"
        env DISPLAY=$DISPLAY_NUMBER XDG_CONFIG_HOME="$WORK/xdg" HOME="$WORK/home" \
            LD_PRELOAD="$PRELOAD" SSLKEYLOGFILE="$WORK/shadow.keys" "${SHADOW_ENV[@]}" \
            freerdp-shadow-cli "/port:$port" "$@" >"$WORK/shadow.log" 2>&1 &
        SHADOW_PID=$!
        wait_listening "$port" && return 0
        log "freerdp-shadow-cli $* did not start (attempt $attempt):"
        tail -5 "$WORK/shadow.log" >&2
        kill "$SHADOW_PID" 2>/dev/null || true
        wait "$SHADOW_PID" 2>/dev/null || true
        sleep 1
    done
    return 1
}

shadow_stop() { # PORT
    kill "$SHADOW_PID"
    wait "$SHADOW_PID" 2>/dev/null || true
    wait_closed "$1"
}

start_display() {
    local number=99
    while [ -e "/tmp/.X$number-lock" ]; do number=$((number + 1)); done
    DISPLAY_NUMBER=:$number
    Xvfb "$DISPLAY_NUMBER" -screen 0 64x64x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
    local i
    for i in $(seq 50); do
        [ -e "/tmp/.X11-unix/X$number" ] && return 0
        sleep 0.1
    done
    log "Xvfb did not start"
    return 1
}

check_ports_free() {
    local port
    for port in 3389 13389 $GATEWAY_PORT; do
        if ss -Hltn "sport = :$port" | grep -q .; then
            log "port $port is in use: the recordings need it (and capture all traffic on it)"
            exit 1
        fi
    done
}

prepare() {
    mkdir -p "$WORK/xdg/freerdp/shadow" "$WORK/home"
    make_certificate scripted RDSRV
    make_certificate shadow freerdp-shadow
    make_certificate gateway RDGW
    # freerdp-shadow-cli takes its TLS identity from here; the key is kept for the static RSA sample.
    cp "$WORK/shadow.crt.pem" "$WORK/xdg/freerdp/shadow/shadow.crt"
    cp "$WORK/shadow.key.pem" "$WORK/xdg/freerdp/shadow/shadow.key"
    winpr-hash -u "$ACCOUNT" -p "$PASSWORD" -f sam >"$WORK/sam"
    SHADOW_ENV=()
}

# ---- the recordings ------------------------------------------------------------------

PORT=3389
FILTER="tcp port 3389"
SHADOW_NLA=(/sec:nla +auth "/sam-file:$WORK/sam")

record_unpatched_pairs() { # cell 1: an unpatched (v2) client and unpatched servers
    local version build
    for version in 2 3 4; do
        case $version in 2) build=6.1.7601 ;; 3) build=6.3.9600 ;; 4) build=10.0.14393 ;; esac
        capture_start "cell1-impacket-v2-scripted-server-v$version" "$FILTER"
        scripted_server $PORT --credssp-version $version --build $build
        impacket_client "$PASSWORD"
        scripted_server_done
        capture_stop
        publish "cell1-impacket-v2-scripted-server-v$version" $PORT "$WORK/client.keys"
    done
    capture_start cell1-scripted-client-v3-scripted-server-v3 "$FILTER"
    scripted_server $PORT --credssp-version 3 --build 6.3.9600
    scripted_client --credssp-version 3 --build 6.3.9600 --password "$PASSWORD"
    scripted_server_done
    capture_stop
    publish cell1-scripted-client-v3-scripted-server-v3 $PORT "$WORK/client.keys"
}

record_force_updated_server() { # cell 2 on "Force Updated Clients": the unpatched client is rejected
    capture_start cell2-force-impacket-v2-rejected "$FILTER"
    scripted_server $PORT --credssp-version 6 --build 10.0.17763 --force-updated-clients
    impacket_client "$PASSWORD"
    scripted_server_done
    capture_stop
    publish cell2-force-impacket-v2-rejected $PORT "$WORK/client.keys"

    capture_start cell2-force-scripted-client-v4-rejected "$FILTER"
    scripted_server $PORT --credssp-version 6 --build 10.0.17763 --force-updated-clients
    scripted_client --credssp-version 4 --build 10.0.14393 --password "$PASSWORD"
    scripted_server_done
    capture_stop
    publish cell2-force-scripted-client-v4-rejected $PORT "$WORK/client.keys"
}

record_mismatch() { # cell 3: patched client (v6, Mitigated) refuses unpatched servers
    local name
    for spec in "v3-fin 3 6.3.9600 fin" "v3-rst 3 6.3.9600 rst" "v3-close-notify 3 6.3.9600 close_notify" \
                "v2-fin 2 6.1.7601 fin" "v4-fin 4 10.0.14393 fin"; do
        set -- $spec
        name=cell3-mismatch-server-$1
        capture_start "$name" "$FILTER"
        scripted_server $PORT --credssp-version "$2" --build "$3"
        scripted_client --password "$PASSWORD" --refusal "$4"
        scripted_server_done
        capture_stop
        publish "$name" $PORT "$WORK/client.keys"
    done

    # HYBRID instead of HYBRID_EX, TLS 1.2 with ECDHE-RSA-AES256-GCM-SHA384 as the server chooses it
    capture_start cell3-mismatch-server-v4-hybrid-tls12 "$FILTER"
    scripted_server $PORT --credssp-version 4 --build 10.0.14393 --max-tls 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
    scripted_client --password "$PASSWORD" --requested 0x3 --policy force --refusal close_notify
    scripted_server_done
    capture_stop
    publish cell3-mismatch-server-v4-hybrid-tls12 $PORT "$WORK/client.keys"

    # The same mismatch, with the secrets inside the file (pcapng Decryption Secrets Block)
    editcap --inject-secrets "tls,$OUT/cell3-mismatch-server-v3-fin.keys" \
        "$OUT/cell3-mismatch-server-v3-fin.pcap" "$OUT/cell3-mismatch-server-v3-fin-dsb.pcapng"

    # The same mismatch again with no key written anywhere
    capture_start cell3-mismatch-server-v3-fin-nokeys "$FILTER"
    "$PY" "$PEERS/credssp_server.py" --port $PORT --ready-file "$WORK/server.ready.nokeys" \
        --cert "$WORK/scripted.crt.pem" --key "$WORK/scripted.key.pem" --user "$ACCOUNT" --password "$PASSWORD" \
        --credssp-version 3 --build 6.3.9600 &
    SERVER_PID=$!
    wait_listening $PORT
    "$PY" "$PEERS/credssp_client.py" --user "$ACCOUNT" --password "$PASSWORD" --refusal fin || true
    scripted_server_done
    capture_stop
    publish cell3-mismatch-server-v3-fin-nokeys $PORT

    # IPv6 and a non-standard port
    capture_start cell3-mismatch-server-v4-ipv6 "$FILTER"
    scripted_server $PORT --bind ::1 --credssp-version 4 --build 10.0.14393
    scripted_client --host ::1 --password "$PASSWORD" --refusal fin
    scripted_server_done
    capture_stop
    publish cell3-mismatch-server-v4-ipv6 $PORT "$WORK/client.keys"

    capture_start cell3-mismatch-server-v3-port13389 "tcp port 13389"
    scripted_server 13389 --credssp-version 3 --build 6.3.9600
    scripted_client --port 13389 --password "$PASSWORD" --refusal rst
    scripted_server_done
    capture_stop
    publish cell3-mismatch-server-v3-port13389 13389 "$WORK/client.keys"
}

record_vulnerable_clients() { # cell 3 with a client that falls back (policy Vulnerable / FreeRDP)
    capture_start cell3-vulnerable-xfreerdp-scripted-server-v3 "$FILTER"
    scripted_server $PORT --credssp-version 3 --build 6.3.9600
    xfreerdp_client 127.0.0.1 "$PASSWORD" nla
    scripted_server_done
    capture_stop
    publish cell3-vulnerable-xfreerdp-scripted-server-v3 $PORT "$WORK/client.keys"

    capture_start cell3-vulnerable-scripted-client-scripted-server-v4 "$FILTER"
    scripted_server $PORT --credssp-version 4 --build 10.0.14393
    scripted_client --password "$PASSWORD" --policy vulnerable
    scripted_server_done
    capture_stop
    publish cell3-vulnerable-scripted-client-scripted-server-v4 $PORT "$WORK/client.keys"
}

record_scripted_patched_pair() { # cell 4 and a logon failure between the scripted peers
    capture_start cell4-scripted-client-scripted-server-v6 "$FILTER"
    scripted_server $PORT --credssp-version 6 --build 10.0.17763
    scripted_client --password "$PASSWORD"
    scripted_server_done
    capture_stop
    publish cell4-scripted-client-scripted-server-v6 $PORT "$WORK/client.keys"

    capture_start auth-failed-scripted-client-scripted-server-v6 "$FILTER"
    scripted_server $PORT --credssp-version 6 --build 10.0.17763
    scripted_client --password "$WRONG_PASSWORD"
    scripted_server_done
    capture_stop
    publish auth-failed-scripted-client-scripted-server-v6 $PORT "$WORK/client.keys"
}

record_interleaved() { # three clients at once against one unpatched v3 server
    capture_start interleaved-three-clients-scripted-server-v3 "$FILTER"
    scripted_server $PORT --credssp-version 3 --build 6.3.9600 --connections 3
    # the slowed-down client connects first and sends its NEGOTIATE only after the other two are done
    scripted_client --password "$PASSWORD" --refusal close_notify --step-delay 2.5 &
    local first=$!
    sleep 0.3
    impacket_client "$PASSWORD"
    sleep 0.1
    xfreerdp_client 127.0.0.1 "$PASSWORD" nla
    wait "$first" || true
    scripted_server_done
    capture_stop
    publish interleaved-three-clients-scripted-server-v3 $PORT "$WORK/client.keys"
}

record_freerdp_shadow() { # real FreeRDP 2 server: cells 2 (Mitigated) and 4, failures, TLS variants
    shadow_server $PORT "${SHADOW_NLA[@]}"
    local spec name
    for spec in "tls13 -" "tls12-gcm ECDHE-RSA-AES128-GCM-SHA256" "tls12-cbc ECDHE-RSA-AES128-SHA256" \
                "tls12-rsa AES128-GCM-SHA256"; do
        set -- $spec
        name=cell4-xfreerdp-freerdp-shadow-$1
        capture_start "$name" "$FILTER"
        if [ "$2" = - ]; then
            xfreerdp_client 127.0.0.1 "$PASSWORD" nla
        else
            xfreerdp_client 127.0.0.1 "$PASSWORD" nla KEYLOG_MAX_TLS=1.2 "KEYLOG_CIPHERS=$2"
        fi
        capture_stop
        publish "$name" $PORT "$WORK/client.keys"
    done
    # static RSA key exchange: the server's private key decrypts it, no key log needed
    rm -f "$OUT/cell4-xfreerdp-freerdp-shadow-tls12-rsa.keys"
    install -m 644 "$WORK/shadow.key.pem" "$OUT/freerdp-shadow.key.pem"

    capture_start cell4-scripted-client-freerdp-shadow "$FILTER"
    scripted_client --password "$PASSWORD"
    capture_stop
    publish cell4-scripted-client-freerdp-shadow $PORT "$WORK/client.keys"

    capture_start cell2-mitigated-impacket-v2-freerdp-shadow "$FILTER"
    impacket_client "$PASSWORD"
    capture_stop
    publish cell2-mitigated-impacket-v2-freerdp-shadow $PORT "$WORK/client.keys"

    capture_start auth-failed-xfreerdp-freerdp-shadow "$FILTER"
    xfreerdp_client 127.0.0.1 "$WRONG_PASSWORD" nla
    capture_stop
    publish auth-failed-xfreerdp-freerdp-shadow $PORT "$WORK/client.keys"

    capture_start auth-failed-impacket-v2-freerdp-shadow "$FILTER"
    impacket_client "$WRONG_PASSWORD"
    capture_stop
    publish auth-failed-impacket-v2-freerdp-shadow $PORT "$WORK/client.keys"

    capture_start negotiation-failed-hybrid-required "$FILTER"
    xfreerdp_client 127.0.0.1 "$PASSWORD" tls
    capture_stop
    publish negotiation-failed-hybrid-required $PORT
    shadow_stop $PORT

    # TLS 1.0, only when both sides allow it
    SHADOW_ENV=(KEYLOG_MAX_TLS=1.0)
    shadow_server $PORT "${SHADOW_NLA[@]}"
    SHADOW_ENV=()
    capture_start cell4-xfreerdp-freerdp-shadow-tls10 "$FILTER"
    xfreerdp_client 127.0.0.1 "$PASSWORD" nla KEYLOG_MAX_TLS=1.0
    capture_stop
    publish cell4-xfreerdp-freerdp-shadow-tls10 $PORT "$WORK/client.keys"
    shadow_stop $PORT

    shadow_server $PORT /bind-address:[::1] "${SHADOW_NLA[@]}"
    capture_start cell4-xfreerdp-freerdp-shadow-ipv6 "$FILTER"
    xfreerdp_client "[::1]" "$PASSWORD" nla
    capture_stop
    publish cell4-xfreerdp-freerdp-shadow-ipv6 $PORT "$WORK/client.keys"
    shadow_stop $PORT

    shadow_server $PORT /sec:tls
    capture_start no-nla-xfreerdp-tls-freerdp-shadow "$FILTER"
    xfreerdp_client 127.0.0.1 "$PASSWORD" tls
    capture_stop
    publish no-nla-xfreerdp-tls-freerdp-shadow $PORT "$WORK/client.keys"

    capture_start negotiation-failed-ssl-required "$FILTER"
    xfreerdp_client 127.0.0.1 "$PASSWORD" rdp
    capture_stop
    publish negotiation-failed-ssl-required $PORT
    shadow_stop $PORT
}

# ---- through an RD Gateway ---------------------------------------------------------------------

GATEWAY_PORT=443
GATEWAY_PID=
gateway() { # ARGS... (the scripted RD Gateway on 127.0.0.1:443, in front of 127.0.0.1:3389)
    rm -f "$WORK/gateway.ready"
    "$PY" "$PEERS/rd_gateway.py" --port $GATEWAY_PORT --rdp-port $PORT --ready-file "$WORK/gateway.ready" \
        --cert "$WORK/gateway.crt.pem" --key "$WORK/gateway.key.pem" --user "$ACCOUNT" --password "$PASSWORD" "$@" \
        2>>"$WORK/gateway.log" &
    GATEWAY_PID=$!
    local i
    for i in $(seq 100); do
        [ -f "$WORK/gateway.ready" ] && return 0
        sleep 0.1
    done
    return 1
}

gateway_done() {
    wait "$GATEWAY_PID" || true
}

# The scripted client through the gateway: its own key logs for the gateway's TLS and the tunnelled one.
gateway_scripted_client() { # TRANSPORT ARGS...
    local transport=$1
    shift
    "$PY" "$PEERS/credssp_client.py" --host RDSRV --port $PORT --gateway 127.0.0.1:$GATEWAY_PORT \
        --gateway-transport "$transport" --user "$ACCOUNT" --keylog "$WORK/inner.keys" \
        --gateway-keylog "$WORK/outer.keys" "$@" || true
}

# xfreerdp's gateway client (/gt:http: WebSocket, or the legacy transport when the gateway answers 200)
gateway_xfreerdp() { # GATEWAY_PASSWORD
    env DISPLAY=$DISPLAY_NUMBER XDG_CONFIG_HOME="$WORK/xdg" HOME="$WORK/home" \
        LD_PRELOAD="$PRELOAD" SSLKEYLOGFILE="$WORK/client.keys" \
        timeout 30 xfreerdp /v:RDSRV "/u:$ACCOUNT" "/p:$PASSWORD" "/g:127.0.0.1:$GATEWAY_PORT" "/gu:$ACCOUNT" \
        "/gp:$1" /gt:http /sec:nla /cert:ignore +auth-only >>"$WORK/xfreerdp.log" 2>&1 || true
}

gateway_capture_start() { # NAME: fresh key logs, so that each holds only this recording's sessions
    : >"$WORK/client.keys"
    : >"$WORK/inner.keys"
    : >"$WORK/outer.keys"
    capture_start "$1" "tcp port $GATEWAY_PORT"
}

# Copies the capture and the key-log lines of its TLS sessions: the gateway's (their ClientHellos are in the
# capture) and, with KEYLOG files, every line of those files (the tunnelled sessions, invisible to tshark).
publish_gateway() { # NAME OUTER_KEYLOG [INNER_KEYLOG...]
    local name=$1 outer=$2
    shift 2
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    keys_for "$OUT/$name.pcap" $GATEWAY_PORT "$WORK/$name.outer" "$outer"
    cat "$WORK/$name.outer" "$@" | sort -u >"$OUT/$name.keys"
    log "$name.pcap: $(stat -c %s "$OUT/$name.pcap") bytes"
}

record_gateway() { # RDP through the scripted RD Gateway on 443 (the capture holds only the gateway's port)
    # a patched client refuses an unpatched server inside the tunnel, with and without the inner secrets
    gateway_capture_start gateway-ws-mismatch-scripted-client-server-v3
    scripted_server $PORT --credssp-version 3 --build 6.3.9600
    gateway
    gateway_scripted_client websocket --password "$PASSWORD" --refusal fin
    gateway_done
    scripted_server_done
    capture_stop
    publish_gateway gateway-ws-mismatch-scripted-client-server-v3 "$WORK/outer.keys" "$WORK/inner.keys"
    cp "$OUT/gateway-ws-mismatch-scripted-client-server-v3.pcap" \
        "$OUT/gateway-ws-mismatch-scripted-client-server-v3-outer-keys.pcap"
    cp "$WORK/gateway-ws-mismatch-scripted-client-server-v3.outer" \
        "$OUT/gateway-ws-mismatch-scripted-client-server-v3-outer-keys.keys"

    # the same mismatch over the legacy transport (RDG_OUT_DATA and RDG_IN_DATA, two TLS connections)
    gateway_capture_start gateway-legacy-mismatch-scripted-client-server-v4
    scripted_server $PORT --credssp-version 4 --build 10.0.14393
    gateway
    gateway_scripted_client legacy --password "$PASSWORD" --refusal close_notify
    gateway_done
    scripted_server_done
    capture_stop
    publish_gateway gateway-legacy-mismatch-scripted-client-server-v4 "$WORK/outer.keys" "$WORK/inner.keys"

    # a logon failure at the target (CredSSP errorCode), the gateway having let the client through
    gateway_capture_start gateway-ws-auth-failed-scripted-client-server-v6
    scripted_server $PORT --credssp-version 6 --build 10.0.17763
    gateway
    gateway_scripted_client websocket --password "$WRONG_PASSWORD" --gateway-password "$PASSWORD"
    gateway_done
    scripted_server_done
    capture_stop
    publish_gateway gateway-ws-auth-failed-scripted-client-server-v6 "$WORK/outer.keys" "$WORK/inner.keys"

    # the gateway's resource authorization policy refuses the target: CHANNEL_RESPONSE E_PROXY_RAP_ACCESSDENIED
    gateway_capture_start gateway-ws-refused-channel-scripted-client
    gateway --refuse channel
    gateway_scripted_client websocket --password "$PASSWORD"
    gateway_done
    capture_stop
    publish_gateway gateway-ws-refused-channel-scripted-client "$WORK/outer.keys"

    # FreeRDP 2's gateway client against freerdp-shadow-cli: a success over each transport
    shadow_server $PORT "${SHADOW_NLA[@]}"
    gateway_capture_start gateway-ws-xfreerdp-freerdp-shadow
    gateway
    gateway_xfreerdp "$PASSWORD"
    gateway_done
    capture_stop
    publish_gateway gateway-ws-xfreerdp-freerdp-shadow "$WORK/client.keys" "$WORK/client.keys"

    gateway_capture_start gateway-legacy-xfreerdp-freerdp-shadow
    gateway --no-websocket
    gateway_xfreerdp "$PASSWORD"
    gateway_done
    capture_stop
    publish_gateway gateway-legacy-xfreerdp-freerdp-shadow "$WORK/client.keys" "$WORK/client.keys"

    # and its wrong gateway password: the gateway's HTTP logon answers 401 again, the target is never reached
    gateway_capture_start gateway-ws-refused-http-xfreerdp
    gateway
    gateway_xfreerdp "$WRONG_PASSWORD"
    gateway_done
    capture_stop
    publish_gateway gateway-ws-refused-http-xfreerdp "$WORK/client.keys"
    shadow_stop $PORT
}

# Cuts of a complete patched-patched capture in the middle of CredSSP.
record_truncated() {
    local source=$OUT/cell4-xfreerdp-freerdp-shadow-tls13.pcap
    local keys=$OUT/cell4-xfreerdp-freerdp-shadow-tls13.keys
    # the frame that carries the client's third TSRequest (NTLM AUTHENTICATE)
    local frame
    frame=$(tshark -r "$source" -o "tls.keylog_file:$keys" -d tcp.port==3389,tls \
        -Y 'credssp.pubKeyAuth && tcp.srcport != 3389' -T fields -e frame.number 2>/dev/null | head -1)
    [ -n "$frame" ] || { log "no AUTHENTICATE frame in $source"; return 1; }
    editcap -r "$source" "$OUT/truncated-at-packet-boundary.pcap" "1-$((frame - 1))"
    cp "$keys" "$OUT/truncated-at-packet-boundary.keys"
    # keep the AUTHENTICATE frame's record header and half of its bytes
    editcap -r "$source" "$WORK/upto.pcap" "1-$frame"
    local size length
    size=$(stat -c %s "$WORK/upto.pcap")
    length=$(tshark -r "$WORK/upto.pcap" -Y "frame.number == $frame" -T fields -e frame.cap_len 2>/dev/null)
    head -c $((size - length / 2)) "$WORK/upto.pcap" >"$OUT/truncated-inside-packet.pcap"
    cp "$keys" "$OUT/truncated-inside-packet.keys"
    log "truncated samples cut at frame $frame"
}

main() {
    [ "$(id -u)" = 0 ] || { log "run as root (apt-get, tcpdump)"; exit 1; }
    install_packages
    check_ports_free
    build_preload
    prepare
    start_display
    if [ -n "${RECORD_ONLY:-}" ]; then   # e.g. RECORD_ONLY=gateway: one group of recordings
        "record_$RECORD_ONLY"
        log "done: record_$RECORD_ONLY into $OUT"
        return
    fi
    record_unpatched_pairs
    record_force_updated_server
    record_mismatch
    record_vulnerable_clients
    record_scripted_patched_pair
    record_interleaved
    record_freerdp_shadow
    record_gateway
    record_truncated
    log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
}

main "$@"
