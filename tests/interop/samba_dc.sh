#!/usr/bin/env bash
# A Samba Active Directory domain controller on loopback, in its own network
# namespace, for the SAMR interop tests.
#
#   samba_dc.sh start       install Samba if missing, provision (or reuse the
#                           cached domain), start samba in the namespace, wait
#                           until the endpoint mapper and SAMR answer, write
#                           the env file
#   samba_dc.sh stop        stop samba and everything else in the namespace,
#                           delete the namespace (safe to call twice)
#   samba_dc.sh exec CMD..  run CMD inside the namespace, with the env file's
#                           variables exported
#   samba_dc.sh status      exit 0 if the DC is up and answers SAMR
#   samba_dc.sh env         print the env file
#   samba_dc.sh provision   only build the cached domain
#
# Environment:
#   MSRPC_DC_DIR      cache and run directory (default /var/tmp/msrpc-samba-dc)
#   MSRPC_DC_NETNS    namespace name (default msrpc-dc); a second DC at the
#                     same time needs its own MSRPC_DC_NETNS and MSRPC_DC_DIR
#   MSRPC_DC_TRIES    readiness polls, 0.25 s apart (default 240, i.e. 60 s)
#   MSRPC_DC_LOG_LEVEL  Samba's "log level" (e.g. "3 auth:5 rpc_srv:5
#                     kerberos:5"), logs in $MSRPC_DC_DIR/live/log/
#
# Layout of MSRPC_DC_DIR:
#   pristine/   the provisioned domain, never run (the cache)
#   live/       a fresh copy of pristine/ made by each start; samba runs here,
#               so users a test creates never reach the cache
#   env         KEY=value lines (no quoting needed), written once ready
#   start.log   output of the last install/provision/start
#
# Every path Samba writes (logs, pid files, sockets, caches) is under live/;
# nothing runs outside the namespace. Clients run inside the namespace
# (`samba_dc.sh exec ...`) against 127.0.0.1, which is the DC's own address.
# `ip netns exec` also bind-mounts /etc/netns/$NS/{hosts,resolv.conf} over
# /etc/ (in a private mount namespace) for the processes it starts:
# dc1.x.test resolves to 127.0.0.1 and DNS goes to the DC's own server.
# `exec` sets KRB5_CONFIG to $MSRPC_DC_DIR/krb5.conf (KDC 127.0.0.1:88).
set -euo pipefail
# samba, ip and samba-tool live in sbin, which a CI environment may lack.
PATH=$PATH:/usr/sbin:/sbin

NS=${MSRPC_DC_NETNS:-msrpc-dc}
DIR=${MSRPC_DC_DIR:-/var/tmp/msrpc-samba-dc}
TRIES=${MSRPC_DC_TRIES:-240}
LOG_LEVEL=${MSRPC_DC_LOG_LEVEL:-}

REALM=X.TEST
DOMAIN=X
DNS_DOMAIN=x.test
HOST=dc1
FQDN=$HOST.$DNS_DOMAIN
IP=127.0.0.1
ADMIN=Administrator
# Meets the default policy: 7+ characters, three of upper, lower, digit,
# symbol, not containing the account name. Shell- and URL-safe on purpose.
PASSWORD=Msrpc-DC-Pass1

PACKAGES=(samba samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind python3-samba)
# Debian's units the packages enable; never to run outside the namespace.
UNITS=(samba-ad-dc.service smbd.service nmbd.service winbind.service)
# Samba's Python bindings live in Debian's python3, not in a pyenv or venv.
SYSPY=/usr/bin/python3

PRISTINE=$DIR/pristine
LIVE=$DIR/live
ENVFILE=$DIR/env
LOG=$DIR/start.log
NSETC=/etc/netns/$NS
STAMP_NAME=.msrpc-samba-dc

say() { echo "samba_dc: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, Samba)"

samba_version() { samba -V 2>/dev/null || echo unknown; }

# What a valid cache was provisioned with; any change means provision again.
stamp() {
    printf 'realm=%s domain=%s host=%s ip=%s password=%s dir=%s samba=%s\n' \
        "$REALM" "$DOMAIN" "$HOST" "$IP" "$PASSWORD" "$PRISTINE" "$(samba_version)"
}

### Packages

pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
    command -v ip >/dev/null || missing+=(iproute2)
    command -v flock >/dev/null || missing+=(util-linux)
    [ ${#missing[@]} -gt 0 ] || return 0
    say "installing ${missing[*]}"
    # Keep maintainer scripts from starting smbd/nmbd/winbind/samba-ad-dc:
    # invoke-rc.d and deb-systemd-invoke both obey policy-rc.d. Ours is
    # added only if the machine has none, and removed afterwards.
    local policy=/usr/sbin/policy-rc.d ours=
    if [ ! -e "$policy" ]; then
        # shellcheck disable=SC2064
        trap "rm -f '$policy'" EXIT
        printf '#!/bin/sh\n# samba_dc.sh: no service starts during install\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        ours=1
    fi
    local rc=0
    {
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    } >>"$LOG" 2>&1 || rc=$?
    [ -z "$ours" ] || { rm -f "$policy"; trap - EXIT; }
    [ $rc = 0 ] || { tail -20 "$LOG" >&2; die "apt-get install failed (log: $LOG)"; }
    # The packages enable their units for the next boot: disable them
    # (systemctl does that offline too), and on a running systemd stop
    # them, should anything have started despite policy-rc.d.
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl disable --now "${UNITS[@]}" >>"$LOG" 2>&1 || true
    elif command -v systemctl >/dev/null; then
        systemctl disable "${UNITS[@]}" >>"$LOG" 2>&1 || true
    fi
}

# Daemons of the system's own Samba would not conflict (other network
# namespace, other paths), but say so: they were not expected.
# (From /proc: a minimal Debian has no pgrep.)
warn_system_daemons() {
    local d p comm ns_self
    ns_self=$(readlink /proc/self/ns/net)
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        comm=$(cat "$d/comm" 2>/dev/null) || continue
        case $comm in samba | smbd | nmbd | winbindd) ;; *) continue ;; esac
        [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$ns_self" ] &&
            say "warning: a system Samba daemon runs outside the namespace (pid $p, $comm)"
    done
    return 0
}

### Provisioning (the cache)

cache_valid() {
    [ -f "$PRISTINE/$STAMP_NAME" ] &&
        [ "$(cat "$PRISTINE/$STAMP_NAME")" = "$(stamp)" ] &&
        [ -s "$PRISTINE/etc/smb.conf" ] &&
        [ -s "$PRISTINE/private/sam.ldb" ] &&
        [ -d "$PRISTINE/private/sam.ldb.d" ] &&
        [ -s "$PRISTINE/private/secrets.ldb" ]
}

provision() {
    cache_valid && return 0
    if [ -e "$PRISTINE" ]; then
        say "cached domain in $PRISTINE is stale or incomplete: provisioning again"
        rm -rf "$PRISTINE"
    fi
    mkdir -p "$PRISTINE"
    say "provisioning $REALM into $PRISTINE"
    local t0=$SECONDS
    # Inside the namespace, so that --host-ip and the interfaces match the
    # loopback samba will serve, and nothing probes the host's network.
    if ! ip netns exec "$NS" samba-tool domain provision \
        --realm="$REALM" --domain="$DOMAIN" --server-role=dc \
        --dns-backend=SAMBA_INTERNAL --adminpass="$PASSWORD" \
        --host-name="$HOST" --host-ip="$IP" --targetdir="$PRISTINE" \
        --option="interfaces = lo" --option="bind interfaces only = yes" \
        >>"$LOG" 2>&1; then
        tail -20 "$LOG" >&2
        rm -rf "$PRISTINE"
        die "samba-tool domain provision failed (log: $LOG)"
    fi
    cp "$PRISTINE/etc/smb.conf" "$PRISTINE/etc/smb.conf.provisioned"
    stamp >"$PRISTINE/$STAMP_NAME"
    say "provisioned in $((SECONDS - t0)) s"
}

### Namespace

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS"; }

make_ns() {
    ns_exists || ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    # Files `ip netns exec` mounts over /etc inside the namespace; it can
    # only mount over files that exist.
    mkdir -p "$NSETC"
    [ ! -e /etc/hosts ] || cat >"$NSETC/hosts" <<EOF
127.0.0.1	localhost
127.0.0.1	$FQDN $HOST
::1	localhost ip6-localhost ip6-loopback
EOF
    # The namespace has no route out: without this, any lookup of a name
    # not in hosts would wait for the host's unreachable DNS server.
    [ ! -e /etc/resolv.conf ] || cat >"$NSETC/resolv.conf" <<EOF
search $DNS_DOMAIN
nameserver 127.0.0.1
options timeout:1 attempts:1
EOF
    # Not over /etc/krb5.conf, which a machine without MIT Kerberos lacks.
    cat >"$DIR/krb5.conf" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false

[realms]
	$REALM = {
		kdc = $IP
		admin_server = $IP
		default_domain = $DNS_DOMAIN
	}

[domain_realm]
	.$DNS_DOMAIN = $REALM
	$DNS_DOMAIN = $REALM
EOF
}

### Running samba

# The live copy: a fresh domain for each start, its own paths.
make_live() {
    rm -rf "$LIVE"
    cp -a "$PRISTINE" "$LIVE"
    mkdir -p "$LIVE/log" "$LIVE/run"
    # Provisioned paths point into pristine/; point them at live/, drop the
    # forwarder (no network here), turn TLS off (no certificate generation,
    # plain LDAP), and keep pid files, sockets and logs out of /run, /var.
    sed -e "s#$PRISTINE#$LIVE#g" -e '/^[[:space:]]*dns forwarder[[:space:]]*=/d' \
        "$PRISTINE/etc/smb.conf.provisioned" |
        awk -v live="$LIVE" -v loglevel="$LOG_LEVEL" '
            { print }
            /^\[global\]/ {
                if (loglevel != "") print "\tlog level = " loglevel
                print "\ttls enabled = no"
                print "\tlog file = " live "/log/log.%m"
                print "\tpid directory = " live "/run"
                print "\tncalrpc dir = " live "/run/ncalrpc"
                print "\twinbindd socket directory = " live "/run/winbindd"
                print "\tntp signd socket directory = " live "/run/ntp_signd"
                print "\tdns update command = /bin/true"
                print "\tspn update command = /bin/true"
            }' >"$LIVE/etc/smb.conf"
    rm -f "$LIVE/etc/smb.conf.provisioned"
}

# Alive: exists and is not a zombie (a zombie has exited already).
alive() {
    [ -n "$1" ] && [ -d "/proc/$1" ] &&
        [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# Before signalling a pid read from a file: is it still our samba, in our
# namespace (and not a recycled pid)?
pid_is_our_samba() {
    alive "$1" &&
        [ "$(cat "/proc/$1/comm" 2>/dev/null)" = samba ] &&
        [ "$(ip netns identify "$1" 2>/dev/null)" = "$NS" ]
}

env_get() { [ -f "$ENVFILE" ] && sed -n "s/^$1=//p" "$ENVFILE" | head -1; }

# The readiness check, in Debian's python3 with Samba's own client:
#  1. ept_map of SAMR over ncacn_ip_tcp to port 135, done by hand (a raw
#     bind and request), which gives SAMR's dynamic port;
#  2. an anonymous bind to that port, SamrConnect2, SamrEnumerateDomains;
#  3. the admin's password over NTLMSSP at packet integrity, SamrConnect2.
# Prints the port.
probe() {
    ip netns exec "$NS" timeout 20 "$SYSPY" - "$LIVE/etc/smb.conf" "$DOMAIN" "$ADMIN" "$PASSWORD" "$IP" <<'EOF'
import socket, struct, sys, uuid
from samba.param import LoadParm
from samba.credentials import Credentials, DONT_USE_KERBEROS
from samba.dcerpc import samr

conf, domain, user, password, ip = sys.argv[1:]

def syntax(u, major, minor):
    return uuid.UUID(u).bytes_le + struct.pack("<HH", major, minor)

EPM = syntax("e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3, 0)
NDR = syntax("8a885d04-1ceb-11c9-9fe8-08002b104860", 2, 0)
SAMR = ("12345778-1234-abcd-ef00-0123456789ac", 1, 0)

def pdu(ptype, call_id, body):
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, 3, b"\x10\0\0\0", 16 + len(body), 0, call_id) + body

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf

def recv_pdu(s):
    head = recv_exact(s, 16)
    frag_len = struct.unpack_from("<H", head, 8)[0]
    return head[2], head + recv_exact(s, frag_len - 16)

def floor(lhs, rhs):
    return struct.pack("<H", len(lhs)) + lhs + struct.pack("<H", len(rhs)) + rhs

def ept_map_port(ip, iface):
    u, major, minor = iface
    tower = struct.pack("<H", 5) + b"".join([
        floor(b"\x0d" + uuid.UUID(u).bytes_le + struct.pack("<H", major), struct.pack("<H", minor)),
        floor(b"\x0d" + NDR[:18], NDR[18:]),
        floor(b"\x0b", b"\0\0"),      # ncacn: connection-oriented RPC
        floor(b"\x07", b"\0\0"),      # tcp port, big-endian
        floor(b"\x09", b"\0\0\0\0"),  # ip address
    ])
    stub = (struct.pack("<I", 1) + b"\0" * 16                   # object: pointer, nil uuid
            + struct.pack("<III", 2, len(tower), len(tower))    # map_tower: pointer, size, length
            + tower + b"\0" * (-len(tower) % 4)
            + b"\0" * 20                                        # entry_handle
            + struct.pack("<I", 4))                             # max_towers
    with socket.create_connection((ip, 135), timeout=5) as s:
        s.sendall(pdu(11, 1, struct.pack("<HHIB3xHBx", 4280, 4280, 0, 1, 0, 1) + EPM + NDR))
        ptype, _ = recv_pdu(s)
        if ptype != 12:
            raise RuntimeError("epm bind: ptype %d" % ptype)
        s.sendall(pdu(0, 2, struct.pack("<IHH", len(stub), 0, 3) + stub))
        ptype, resp = recv_pdu(s)
    if ptype != 2:
        raise RuntimeError("epm map: ptype %d" % ptype)
    body = resp[24:]
    num_towers = struct.unpack_from("<I", body, 20)[0]
    status = struct.unpack_from("<I", body, len(body) - 4)[0]
    if status != 0 or num_towers == 0:
        raise RuntimeError("epm map: status 0x%08x, %d towers" % (status, num_towers))
    actual = struct.unpack_from("<III", body, 24)[2]
    pos = 36 + 4 * actual                                       # past the referent ids
    tower_len = struct.unpack_from("<II", body, pos)[1]
    octets = body[pos + 8:pos + 8 + tower_len]
    at = 2
    for _ in range(struct.unpack_from("<H", octets, 0)[0]):
        n = struct.unpack_from("<H", octets, at)[0]
        lhs = octets[at + 2:at + 2 + n]
        at += 2 + n
        n = struct.unpack_from("<H", octets, at)[0]
        rhs = octets[at + 2:at + 2 + n]
        at += 2 + n
        if lhs == b"\x07":
            return struct.unpack(">H", rhs)[0]
    raise RuntimeError("epm map: no tcp floor")

port = ept_map_port(ip, SAMR)
lp = LoadParm()
lp.load(conf)
anon = Credentials()
anon.guess(lp)
anon.set_anonymous()
p = samr.samr("ncacn_ip_tcp:%s[%d]" % (ip, port), lp, anon)
h = p.Connect2(None, 0x20030)
names = [d.name.string for d in p.EnumDomains(h, 0, 100)[1].entries]
assert domain in names, names
admin = Credentials()
admin.guess(lp)
admin.set_kerberos_state(DONT_USE_KERBEROS)
admin.set_domain(domain)
admin.set_username(user)
admin.set_password(password)
p2 = samr.samr("ncacn_ip_tcp:%s[%d,sign]" % (ip, port), lp, admin)
p2.Connect2(None, 0x02000000)
print(port)
EOF
}

wait_ready() {
    local pid=$1 i
    # Port 135 first: cheap, no Python.
    for ((i = 1; i <= TRIES; i++)); do
        alive "$pid" || return 1
        ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/$IP/135" 2>/dev/null && break
        sleep 0.25
    done
    [ $i -le "$TRIES" ] || return 1
    # Then the endpoint mapper and SAMR's dynamic endpoint, anonymous and
    # authenticated (the KDC, LDAP and winbindd start alongside).
    for (( ; i <= TRIES; i++)); do
        alive "$pid" || return 1
        if PROBE_OUT=$(probe 2>&1); then
            SAMR_PORT=$(echo "$PROBE_OUT" | tail -1)
            return 0
        fi
        sleep 0.25
    done
    return 1
}

start_samba() {
    make_live
    say "starting samba in namespace $NS"
    # -F: no fork, so the pid is samba's master (ip netns exec execs it);
    # samba puts itself in its own process group. stdin from /dev/null,
    # output to a file (a caller's $(...) must not wait for it), and not
    # the lock's fd 9, or samba would hold the lock for its lifetime.
    ip netns exec "$NS" samba -F -s "$LIVE/etc/smb.conf" -l "$LIVE/log" \
        </dev/null >>"$LIVE/log/samba.out" 2>&1 9>&- &
    local pid=$!
    echo "$pid" >"$DIR/samba.pid"
    local t0=$SECONDS
    if ! wait_ready "$pid"; then
        say "samba (pid $pid) did not become ready after $TRIES tries"
        [ -n "${PROBE_OUT:-}" ] && echo "$PROBE_OUT" | tail -5 >&2
        tail -20 "$LIVE/log/log.samba" "$LIVE/log/samba.out" >&2 2>/dev/null || true
        return 1
    fi
    pid_is_our_samba "$pid" || { say "pid $pid is not samba in $NS"; return 1; }
    write_env "$pid" "$SAMR_PORT"
    say "ready in $((SECONDS - t0)) s (pid $pid, SAMR on tcp port $SAMR_PORT)"
}

write_env() {
    local tmp=$ENVFILE.tmp
    cat >"$tmp" <<EOF
MSRPC_DC_REALM=$REALM
MSRPC_DC_DOMAIN=$DOMAIN
MSRPC_DC_DNS_DOMAIN=$DNS_DOMAIN
MSRPC_DC_HOST=$HOST
MSRPC_DC_FQDN=$FQDN
MSRPC_DC_IP=$IP
MSRPC_DC_USER=$ADMIN
MSRPC_DC_PASSWORD=$PASSWORD
MSRPC_DC_NETNS=$NS
MSRPC_DC_PID=$1
MSRPC_DC_SAMR_PORT=$2
MSRPC_DC_DIR=$DIR
MSRPC_DC_SMB_CONF=$LIVE/etc/smb.conf
MSRPC_DC_KRB5_CONFIG=$DIR/krb5.conf
EOF
    mv "$tmp" "$ENVFILE"
}

### Stopping

# Wait until none of the given pids is alive (zombies count as gone).
wait_gone() {
    local tries=$1 p alive
    shift
    for ((; tries > 0; tries--)); do
        alive=
        for p in "$@"; do
            if alive "$p"; then
                alive=1
            fi
        done
        [ -z "$alive" ] && return 0
        sleep 0.1
    done
    return 1
}

ns_pids() { if ns_exists; then ip netns pids "$NS" 2>/dev/null || true; fi; }

do_stop() {
    local pid pids
    pid=$(env_get MSRPC_DC_PID || true)
    [ -n "$pid" ] || pid=$(cat "$DIR/samba.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && pid_is_our_samba "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        # samba's master stops its children (smbd, winbindd, prefork workers).
        wait_gone 100 "$pid" || { say "samba pid $pid ignored SIGTERM: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
    fi
    # Whatever is left in the namespace (samba's children, a test still
    # running under `exec`) was started there by us: end it by pid.
    pids=$(ns_pids)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        # shellcheck disable=SC2086
        wait_gone 50 $pids || { kill -KILL $pids 2>/dev/null || true; wait_gone 50 $pids || true; }
    fi
    pids=$(ns_pids)
    [ -z "$pids" ] || say "warning: still in namespace $NS: $pids"
    if ns_exists; then ip netns delete "$NS"; fi
    rm -rf "$NSETC"
    rm -f "$ENVFILE" "$DIR/samba.pid"
}

### Commands

with_lock() {
    mkdir -p "$DIR"
    exec 9>"$DIR/.lock"
    flock -w 300 9 || die "another samba_dc.sh holds $DIR/.lock"
}

check_dir() {
    # Never rm -rf a directory that is not ours.
    if [ -d "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ] && [ ! -e "$DIR/$STAMP_NAME" ]; then
        die "$DIR exists, is not empty and was not made by this script; set MSRPC_DC_DIR"
    fi
    mkdir -p "$DIR"
    touch "$DIR/$STAMP_NAME"
}

is_up() {
    local pid
    pid=$(env_get MSRPC_DC_PID || true)
    [ -n "$pid" ] && pid_is_our_samba "$pid" && probe >/dev/null 2>&1
}

cmd_start() {
    check_dir
    with_lock
    : >"$LOG"
    if is_up; then
        say "already running (pid $(env_get MSRPC_DC_PID))"
        echo "$ENVFILE"
        return 0
    fi
    do_stop
    install_packages
    warn_system_daemons
    make_ns
    provision
    if ! start_samba; then
        # A cache that samba cannot run from is thrown away, once.
        say "retrying with a freshly provisioned domain"
        do_stop
        rm -rf "$PRISTINE"
        make_ns
        provision
        start_samba || { do_stop; die "samba did not start (logs in $LIVE/log, $LOG)"; }
    fi
    echo "$ENVFILE"
}

cmd_stop() {
    [ ! -d "$DIR" ] || with_lock
    do_stop
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
restart) cmd_stop; cmd_start ;;
provision)
    check_dir; with_lock; install_packages; make_ns; provision
    ns_pids | grep -q . || { ip netns delete "$NS"; rm -rf "$NSETC"; }
    ;;
status)
    if is_up; then cat "$ENVFILE"; else say "not running"; exit 1; fi
    ;;
env)
    if [ -f "$ENVFILE" ]; then cat "$ENVFILE"; else say "not running"; exit 1; fi
    ;;
exec)
    shift
    [ $# -gt 0 ] || die "usage: $0 exec CMD [ARGS...]"
    ns_exists || die "namespace $NS does not exist: run '$0 start' first"
    if [ -f "$ENVFILE" ]; then
        set -a
        # shellcheck disable=SC1090
        . "$ENVFILE"
        set +a
        export KRB5_CONFIG=${MSRPC_DC_KRB5_CONFIG:-$DIR/krb5.conf}
    fi
    exec ip netns exec "$NS" "$@"
    ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
