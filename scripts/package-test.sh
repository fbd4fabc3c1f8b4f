#!/usr/bin/env bash
# The Debian package, as an operator meets it: build it, install it with dpkg -i, check what
# it installed, start the installed dfp-server as the dfp user with the installed
# configuration, run a client session and `dfp-admin check` against it, shut it down with
# `dfp-admin shutdown`, and purge the package. Needs root. Usage: scripts/package-test.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(scripts/package.sh "${1:-build/release}")
echo "== package: $deb"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\):/  \1:/p'

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
  dpkg --purge dfp >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package test FAILED: $*" >&2; [ -f "$work/server.log" ] && cat "$work/server.log" >&2; exit 1; }

dpkg -i "$deb" >/dev/null
for f in /usr/bin/dfp-server /usr/bin/dfp-client /usr/bin/dfp-admin /usr/bin/dfp-bench \
         /etc/dfp/dfp-server.properties /usr/lib/systemd/system/dfp-server.service \
         /usr/share/man/man1/dfp-server.1.gz /usr/share/man/man1/dfp-client.1.gz \
         /usr/share/man/man1/dfp-admin.1.gz /usr/share/man/man1/dfp-bench.1.gz \
         /usr/share/doc/dfp/operations.md; do
  [ -e "$f" ] || fail "$f is not installed"
done
getent passwd dfp >/dev/null || fail "the dfp user was not created"
[ "$(stat -c '%U %a' /var/lib/dfp)" = "dfp 700" ] || fail "/var/lib/dfp is not dfp's, mode 0700"
grep -qx '/etc/dfp/dfp-server.properties' /var/lib/dpkg/info/dfp.conffiles ||
  fail "the configuration is not a conffile"
grep -q '^ExecStart=/usr/bin/dfp-server --config=/etc/dfp/dfp-server.properties$' \
  /usr/lib/systemd/system/dfp-server.service || fail "the unit does not start the installed server"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/system/dfp-server.service ||
    fail "systemd-analyze verify rejects the unit"
fi
echo "== installed files, user, conffile and unit are in place"

# The installed server, as the service would run it, but on a free port and a scratch data dir.
chmod 0755 "$work"
install -d -o dfp -g dfp -m 0700 "$work/data"
as_dfp() { setpriv --reuid=dfp --regid=dfp --init-groups -- "$@"; }
coproc SERVER { exec setpriv --reuid=dfp --regid=dfp --init-groups -- /usr/bin/dfp-server \
  --config=/etc/dfp/dfp-server.properties --port=0 --data-dir="$work/data" 2>&1; }
server_pid=$SERVER_PID
exec 4<&"${SERVER[0]}"
port=
while IFS= read -r -t 60 -u 4 line; do
  printf '%s\n' "$line" >>"$work/server.log"
  if [[ $line =~ event=listening\ address=[^\ ]*:([0-9]+) ]]; then
    port=${BASH_REMATCH[1]}
    break
  fi
done
[ -n "$port" ] || fail "the installed server did not start"
cat <&4 >>"$work/server.log" &
echo "== installed dfp-server listening on port $port"

printf '%s\n' packager 'a package password' 'CRT packaging' 'MSG packaging hello from the .deb' \
  'RDT packaging' XIT >"$work/script"
/usr/bin/dfp-client --no-color 127.0.0.1 "$port" <"$work/script" >"$work/client.out" 2>&1 ||
  fail "the client session failed: $(cat "$work/client.out")"
grep -q 'hello from the .deb' "$work/client.out" || fail "RDT did not show the message"
as_dfp /usr/bin/dfp-admin --data-dir="$work/data" check >"$work/check.out" 2>&1 ||
  fail "dfp-admin check: $(cat "$work/check.out")"
as_dfp /usr/bin/dfp-admin --data-dir="$work/data" --json stats | grep -Eq '"messages": *1[,}]' ||
  fail "dfp-admin stats does not count the message"
as_dfp /usr/bin/dfp-admin --data-dir="$work/data" shutdown --port="$port" ||
  fail "dfp-admin shutdown was refused"
status=0
wait "$server_pid" || status=$?
server_pid=
[ "$status" -eq 0 ] || fail "the server exited with status $status after SHT"
echo "== client session, dfp-admin check and shutdown against the installed server: ok"

dpkg --purge dfp >/dev/null
[ ! -e /usr/bin/dfp-server ] || fail "dpkg --purge left /usr/bin/dfp-server"
[ ! -e /usr/lib/systemd/system/dfp-server.service ] || fail "dpkg --purge left the unit"
echo "== package test passed (installed, served, checked, removed)"
