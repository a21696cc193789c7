#!/bin/bash
# test_keylog_preload.sh - checks samples/keylog-preload on a real OpenSSL program (openssl s_server/s_client
# on loopback): the key log gets NSS lines for the session, and KEYLOG_MAX_TLS / KEYLOG_CIPHERS /
# KEYLOG_CIPHERSUITES really change what is negotiated. Usage: test_keylog_preload.sh PRELOAD_SO
set -u
PRELOAD=$1
WORK=$(mktemp -d /tmp/keylog-preload-test.XXXXXX)
SERVER_PID=
passed=0
failed=0

cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null || { echo "cannot make a certificate"; exit 1; }

start_server() {
    local port
    port=$(( 20000 + RANDOM % 20000 ))
    openssl s_server -accept "127.0.0.1:$port" -cert "$WORK/cert.pem" -key "$WORK/key.pem" -naccept 1 -quiet \
        </dev/null >/dev/null 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do
        ss -Hltn "sport = :$port" | grep -q . && { PORT=$port; return 0; }
        sleep 0.1
    done
    return 1
}

# connect ENV...: runs s_client with the preload and the given environment; prints its report
connect() {
    : >"$WORK/keys"
    start_server || { echo "s_server did not start"; return 1; }
    env LD_PRELOAD="$PRELOAD" SSLKEYLOGFILE="$WORK/keys" "$@" \
        openssl s_client -connect "127.0.0.1:$PORT" -brief </dev/null 2>&1
    # s_server stops after its one connection; a client that aborted early never made one
    for _ in $(seq 20); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

expect() { # NAME CONDITION_RESULT
    if [ "$2" = 0 ]; then
        echo "PASS $1"; passed=$((passed + 1))
    else
        echo "FAIL $1"; failed=$((failed + 1))
    fi
}

out=$(connect)
echo "$out" | grep -q 'Protocol version: TLSv1.3'; expect "default handshake is TLS 1.3" $?
grep -Eq '^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]{64} [0-9a-f]{96}$' "$WORK/keys"; expect "TLS 1.3 traffic secret logged" $?
grep -Eq '^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} ' "$WORK/keys"; expect "TLS 1.3 handshake secret logged" $?

out=$(connect KEYLOG_MAX_TLS=1.2 KEYLOG_CIPHERS=ECDHE-RSA-AES128-SHA256)
echo "$out" | grep -q 'Protocol version: TLSv1.2'; expect "KEYLOG_MAX_TLS=1.2 gives TLS 1.2" $?
echo "$out" | grep -q 'Ciphersuite: ECDHE-RSA-AES128-SHA256'; expect "KEYLOG_CIPHERS picks the suite" $?
grep -Eq '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$' "$WORK/keys"; expect "TLS 1.2 master secret logged" $?

out=$(connect KEYLOG_CIPHERSUITES=TLS_CHACHA20_POLY1305_SHA256)
echo "$out" | grep -q 'Ciphersuite: TLS_CHACHA20_POLY1305_SHA256'; expect "KEYLOG_CIPHERSUITES picks the TLS 1.3 suite" $?

out=$(connect KEYLOG_MAX_TLS=1.9)
[ "$(wc -l <"$WORK/keys")" = 0 ] && echo "$out" | grep -q 'cannot apply KEYLOG_MAX_TLS=1.9'
expect "an unknown KEYLOG_MAX_TLS aborts instead of recording something else" $?

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
