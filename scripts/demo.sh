#!/usr/bin/env bash
# Runs the browser demo against the local Cognito emulator:
#   installs deps, builds pkg/ and the emulator, starts the emulator (127.0.0.1:9229) and the
#   static server (127.0.0.1:8080), prints the two demo pages' URLs (raw API: /, drop-in
#   element: /dropin.html; also as http://localhost:PORT/, which passkeys need) and the demo
#   users, and stays in the foreground until Ctrl-C; both children are stopped on exit.
# Usage: scripts/demo.sh [--emulator-port N] [--port N] [--no-build]
#   env EMULATOR_PORT, DEMO_PORT work too; port 0 = any free port.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"

EMULATOR_PORT="${EMULATOR_PORT:-9229}"
DEMO_PORT="${DEMO_PORT:-8080}"
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --emulator-port) EMULATOR_PORT="$2"; shift 2 ;;
    --emulator-port=*) EMULATOR_PORT="${1#*=}"; shift ;;
    --port) DEMO_PORT="$2"; shift 2 ;;
    --port=*) DEMO_PORT="${1#*=}"; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [[ $BUILD == 1 ]]; then
  bash scripts/install-deps.sh
  bash scripts/build-pkg.sh
  cargo build --profile emulator -p cognito-emulator
fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/cognito-demo.XXXXXX")
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for_url LOGFILE PID PATTERN: prints the http URL from the first line matching PATTERN.
wait_for_url() {
  local log=$1 pid=$2 pattern=$3 line
  for _ in $(seq 1 300); do
    line=$(grep -m1 -E "$pattern" "$log" 2>/dev/null || true)
    if [[ -n "$line" ]]; then grep -oE 'http://[0-9.]+:[0-9]+' <<<"$line"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "process exited early; its output:" >&2; cat "$log" >&2; return 1
    fi
    sleep 0.1
  done
  echo "timed out waiting for: $pattern" >&2; cat "$log" >&2; return 1
}

target_dir="${CARGO_TARGET_DIR:-target}"
# Hosted UI: both demo pages are registered callback/sign-out URLs.
hosted_args=()
if [[ "$DEMO_PORT" != 0 ]]; then
  for host in 127.0.0.1 localhost; do
    for page in "" dropin.html; do
      hosted_args+=(--callback-url "http://$host:$DEMO_PORT/$page" --logout-url "http://$host:$DEMO_PORT/$page")
    done
  done
fi
"$target_dir/emulator/cognito-emulator" --port "$EMULATOR_PORT" --config tests/fixtures/demo-pool.json \
  "${hosted_args[@]}" >"$logs/emulator.log" 2>&1 &
pids+=($!)
emulator_url=$(wait_for_url "$logs/emulator.log" "${pids[-1]}" '^cognito-emulator listening on http://')

DEMO_CONFIG_JSON=$(printf '{"endpoint":"%s/","userPoolId":"us-east-1_EmuPool01","clientId":"7f3kq2m9emulatorclient0001","storage":"local","identityPoolId":"us-east-1:0a1b2c3d-0000-4000-8000-00000000e001","identityEndpoint":"%s/","apiUrl":"%s/_protected/hello"}' "$emulator_url" "$emulator_url" "$emulator_url") \
  node scripts/serve.mjs --port "$DEMO_PORT" >"$logs/serve.log" 2>&1 &
pids+=($!)
demo_url=$(wait_for_url "$logs/serve.log" "${pids[-1]}" '^static server on http://')
local_url=${demo_url/127.0.0.1/localhost}

cat <<MSG

  Raw API demo:        $demo_url/
  Drop-in element:     $demo_url/dropin.html   (hosted-UI mode: $demo_url/dropin.html?mode=hosted&providers=Google)
  Passkeys need the localhost URLs (WebAuthn refuses an IP address as relying-party id):
                       $local_url/
                       $local_url/dropin.html
  Under a strict CSP with Trusted Types (README, "Content Security Policy"):
                       $local_url/csp/   $local_url/csp/dropin.html
  Cognito emulator:    $emulator_url/  (pool us-east-1_EmuPool01, client 7f3kq2m9emulatorclient0001)

  Users:  demo     / Demo-Passw0rd!
          alice    / Alice-Passw0rd!   (or sign in as alice@example.com)
          pending  / Pending-Passw0rd!  (unconfirmed: shows UserNotConfirmedException)
          smsuser  / Sms-Passw0rd!      (SMS MFA: the code is in $emulator_url/_emulator/outbox)
          passkey  / Passkey-Passw0rd!  (passkeys, email / SMS codes without a password: on $local_url/)

  Press Ctrl-C to stop.
MSG

# Stream both logs; stop when either child exits.
tail -n +1 -f "$logs/emulator.log" "$logs/serve.log" &
pids+=($!)
wait -n "${pids[0]}" "${pids[1]}" || true
echo "a server exited; stopping" >&2
exit 1
