# shellcheck shell=bash
# Sourced by the bench scripts (run-all.sh, alternate.sh, profile.sh, burst.sh): starts one
# dfp-server on a data directory of its own and waits until it listens; finds a free port and
# waits for a line in a log, for the baselines' servers.
#
# launch_server DIR COMMAND...: runs COMMAND (the server binary, behind any wrapper such as
# valgrind, with its options) with --port=0, --data-dir=DIR/data and an admin password file
# in DIR, its stderr in DIR/server.log. Waits up to 60 s for its listening line; sets
# launched_pid and launched_port. Exits the script if the server ends or never listens.
launch_server() {
  local dir=$1
  shift
  mkdir -p "$dir"
  printf 'bench admin password\n' >"$dir/admin-password"
  "$@" --port=0 --data-dir="$dir/data" --admin-password-file="$dir/admin-password" \
    2>"$dir/server.log" &
  launched_pid=$!
  launched_port=
  for _ in $(seq 600); do
    launched_port=$(sed -n 's/.*event=listening address=[^ ]*:\([0-9][0-9]*\).*/\1/p' \
      "$dir/server.log" | head -1)
    [ -n "$launched_port" ] && return 0
    kill -0 "$launched_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "dfp-server ($*) did not listen; the end of its log:" >&2
  tail -20 "$dir/server.log" >&2
  exit 1
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}

# Waits up to 15 s for a line in a log file (the servers announce themselves there).
await_log() {
  local file=$1 needle=$2
  for _ in $(seq 150); do
    grep -q -- "$needle" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$needle' in $file" >&2
  tail -20 "$file" >&2
  exit 1
}
