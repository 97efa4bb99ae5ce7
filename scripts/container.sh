#!/usr/bin/env bash
# Build and smoke-test the sectoken container image on a Debian machine with no Docker engine and
# no image registry: podman + buildah (daemonless), and a local stand-in for node:20-bookworm-slim.
#
#   scripts/container.sh [base|build|smoke|all]      (default: all; run as root)
#
#   base   builds localhost/sectoken-node20-base if it is missing: a Debian minbase rootfs made by
#          debootstrap from the mirror apt already uses, this machine's Node 20 binary and npm
#          $BASE_NPM_VERSION (10.8.2, as node:20 ships; "host" copies the host's npm instead) laid
#          out as in the official image (/usr/local/bin/node, /usr/local/lib/node_modules/npm),
#          user node (1000:1000). REBUILD_BASE=1 rebuilds it.
#   build  buildah bud --format docker (keeps HEALTHCHECK) -> localhost/sectoken:dev
#   smoke  runs the image in development mode on 127.0.0.1:$SMOKE_PORT, checks /healthz, a token,
#          the non-root user, the HEALTHCHECK, the production refusal; prints the size; then runs it
#          in production with a mounted config directory, keyring, audit directory and KEK file
#          (and checks that it refuses to start without SECTOKEN_INSTANCE_ID); cleans up.
#
# Environment: BASE_IMAGE, IMAGE, SMOKE_PORT (18080), OCI_RUNTIME (runc), DEBIAN_MIRROR and
# DEBIAN_SUITE (default: from apt's sources and /etc/os-release), BASE_NPM_VERSION (10.8.2),
# BUILD_NETWORK (host).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BASE_IMAGE=${BASE_IMAGE:-localhost/sectoken-node20-base}
IMAGE=${IMAGE:-localhost/sectoken:dev}
SMOKE_PORT=${SMOKE_PORT:-18080}
OCI_RUNTIME=${OCI_RUNTIME:-runc}
BUILD_NETWORK=${BUILD_NETWORK:-host}
# node:20 images ship npm 10.8.2; newer npm (11.x) rejects lockfiles that npm 10 accepts.
BASE_NPM_VERSION=${BASE_NPM_VERSION:-10.8.2}
# No systemd here: cgroupfs, and the file events backend instead of journald.
PODMAN=(podman --cgroup-manager=cgroupfs --events-backend=file)
# crun refuses this machine's hybrid cgroup v1/v2 layout; runc works.
RUN_FLAGS=(--runtime "$OCI_RUNTIME")
# Podman asks for RLIMIT_NOFILE 1048576 and a large RLIMIT_NPROC, and a sandbox that may not raise
# limits (not even as root) fails with "error setting rlimit type 7/6: operation not permitted":
# ask for no more than this shell already has.
host_nofile=$(ulimit -Hn)
[ "$host_nofile" = unlimited ] && host_nofile=1048576
[ "$host_nofile" -gt 65536 ] && host_nofile=65536
RUN_FLAGS+=(--ulimit "nofile=$host_nofile:$host_nofile" --ulimit nproc=4096:4096)

# Podman schedules HEALTHCHECKs with systemd timers; without systemd it logs "unable to get systemd
# connection" errors (harmless; --health-interval=disable does not stop them in podman 4.3) and the
# smoke test runs the check itself with `podman healthcheck run`. Those lines are filtered out.
podman_quiet() { "${PODMAN[@]}" "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'container.sh: %s\n' "$*" >&2; exit 1; }

ensure_tools() {
  local missing=() tool
  for tool in podman buildah runc debootstrap curl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; install podman buildah runc debootstrap curl (as root)"
  log "installing ${missing[*]} with apt-get"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman buildah runc debootstrap curl
}

# The Debian mirror that apt is configured with (deb822 sources first, then one-line ones).
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

image_exists() { "${PODMAN[@]}" image exists "$1"; }

cmd_base() {
  if image_exists "$BASE_IMAGE" && [ "${REBUILD_BASE:-0}" != 1 ]; then
    log "$BASE_IMAGE exists (REBUILD_BASE=1 rebuilds it)"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "building the base image needs root (debootstrap)"
  local node_bin node_prefix npm_dir host_npm node_version suite mirror work rootfs lib tarball
  node_bin=$(readlink -f "$(command -v node)") || die "no node on PATH"
  node_version=$("$node_bin" -p 'process.versions.node')
  [ "${node_version%%.*}" = 20 ] || die "host node is $node_version; the base image needs Node 20"
  node_prefix=$(dirname "$(dirname "$node_bin")")
  npm_dir="$node_prefix/lib/node_modules/npm"
  [ -f "$npm_dir/bin/npm-cli.js" ] || die "no npm at $npm_dir"
  host_npm=$("$node_bin" "$npm_dir/bin/npm-cli.js" --version 2>/dev/null)
  # shellcheck disable=SC1091
  suite=${DEBIAN_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
  mirror=$(debian_mirror)

  work=$(mktemp -d /var/tmp/sectoken-base.XXXXXX)
  rootfs="$work/rootfs"
  # shellcheck disable=SC2064
  trap "cleanup_rootfs '$work'" EXIT

  log "debootstrap --variant=minbase $suite from $mirror"
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }

  log "slimming the rootfs (as debian:*-slim does)"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/locale/*
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"

  install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  if [ "$BASE_NPM_VERSION" = host ]; then
    log "adding node $node_version ($node_bin) and the host's npm $host_npm ($npm_dir)"
    cp -a "$npm_dir/." "$rootfs/usr/local/lib/node_modules/npm/"
  else
    log "adding node $node_version ($node_bin) and npm $BASE_NPM_VERSION (npm pack from the registry)"
    tarball=$(cd "$work" && "$node_bin" "$npm_dir/bin/npm-cli.js" pack --silent "npm@$BASE_NPM_VERSION" 2>/dev/null | tail -n1) \
      || die "npm pack npm@$BASE_NPM_VERSION failed (BASE_NPM_VERSION=host uses the host's npm $host_npm)"
    tar -xzf "$work/$tarball" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  fi
  # Node's headers, where the official image has them: the build stage compiles pkcs11js against them.
  [ -f "$node_prefix/include/node/common.gypi" ] || die "no Node headers at $node_prefix/include/node"
  mkdir -p "$rootfs/usr/local/include"
  cp -rL "$node_prefix/include/node" "$rootfs/usr/local/include/node"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # Any shared library node needs that minbase lacks comes from this (same-release) host.
  for lib in $(ldd "$node_bin" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    [ -e "$rootfs$lib" ] || { log "copying $lib"; cp -L --parents "$lib" "$rootfs"; }
  done
  env -u NODE_EXTRA_CA_CERTS chroot "$rootfs" /usr/local/bin/node -e 'require("node:crypto").randomBytes(1)' \
    || die "node does not run inside the new rootfs"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  log "importing $BASE_IMAGE"
  tar --numeric-owner -C "$rootfs" -cf - . | "${PODMAN[@]}" import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$node_version" \
    --change "ENV NPM_VERSION=$(env -u NODE_EXTRA_CA_CERTS chroot "$rootfs" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version)" \
    --change 'CMD ["node"]' \
    --change "LABEL org.opencontainers.image.description=Local stand-in for node:20-$suite-slim (debootstrap minbase + host node $node_version)" \
    --message "debootstrap --variant=minbase $suite + node $node_version" \
    - "$BASE_IMAGE" >/dev/null
  cleanup_rootfs "$work"
  trap - EXIT
  "${PODMAN[@]}" images "$BASE_IMAGE"
}

cleanup_rootfs() {
  local work=$1
  [ -d "$work" ] || return 0
  # debootstrap may leave proc/sys/dev mounted after a failure: never rm -rf through a mount.
  local mnt
  # shellcheck disable=SC2013
  for mnt in $(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$mnt" || true
  done
  if awk -v w="$work/" 'index($2, w) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    log "leaving $work: something is still mounted under it"
  else
    rm -rf "$work"
  fi
}

cmd_build() {
  image_exists "$BASE_IMAGE" || cmd_base
  local args=(--format docker --layers --runtime "$OCI_RUNTIME" --network "$BUILD_NETWORK" --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE")
  # Behind a TLS-intercepting proxy npm must trust the host's CA bundle: mount it read-only for the
  # RUN steps and point Node at it (a build-stage ARG only, absent from the final image).
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    args+=(--volume /etc/ssl/certs:/etc/ssl/certs:ro --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
  fi
  log "buildah bud ${args[*]} ."
  buildah bud "${args[@]}" .
  "${PODMAN[@]}" images "$IMAGE"
}

cmd_smoke() {
  image_exists "$IMAGE" || die "no image $IMAGE: run '$0 build' first"
  local name="sectoken-smoke-$$" base="http://127.0.0.1:$SMOKE_PORT" out body token uid user hc i
  SMOKE_CONTAINER=$name
  trap remove_smoke_container EXIT

  log "production default refuses to start without a mounted config"
  if out=$("${PODMAN[@]}" run "${RUN_FLAGS[@]}" --rm "$IMAGE" 2>&1); then
    die "the image started in production mode without a config: $out"
  fi
  grep -q 'SECTOKEN_CONFIG' <<<"$out" || die "unexpected production refusal: $out"
  log "  ok: $(grep -m1 'SECTOKEN_CONFIG' <<<"$out" | cut -c1-120)"

  log "starting $IMAGE as $name (NODE_ENV=development) on $base"
  podman_quiet run "${RUN_FLAGS[@]}" -d --name "$name" \
    -p "127.0.0.1:$SMOKE_PORT:8080" -e NODE_ENV=development "$IMAGE" >/dev/null

  for i in $(seq 1 60); do
    if body=$(curl -fsS --max-time 2 "$base/healthz" 2>/dev/null); then break; fi
    if [ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$name")" != true ]; then
      "${PODMAN[@]}" logs "$name" >&2 || true
      die "the container exited"
    fi
    [ "$i" -lt 60 ] || { "${PODMAN[@]}" logs "$name" >&2; die "no answer from $base/healthz in 30 s"; }
    sleep 0.5
  done
  [ "$body" = '{"status":"ok"}' ] || die "/healthz answered $body"
  log "  ok: GET /healthz -> $body"

  body=$(curl -fsS --max-time 5 "$base/v1/tokens" \
    -H 'Authorization: Bearer stk_dev_hospital-backend' -H 'Content-Type: application/json' \
    -d '{"sector":"health","nationalId":"AB123456"}') || die "POST /v1/tokens failed"
  token=$(node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); if (typeof r.token !== "string" || !r.token) process.exit(1); console.log(r.token)' <<<"$body") \
    || die "no token in $body"
  log "  ok: POST /v1/tokens -> token $token ($body)"

  uid=$("${PODMAN[@]}" exec "$name" id -u)
  user=$("${PODMAN[@]}" inspect --format '{{.Config.User}}' "$name")
  [ "$uid" != 0 ] || die "the service runs as root"
  log "  ok: runs as uid $uid (image USER $user)"
  "${PODMAN[@]}" exec "$name" test -s /app/keys/dev-keyring.json || die "no dev keyring written to /app/keys"
  "${PODMAN[@]}" exec "$name" sh -c '! touch /app/dist/cli.js 2>/dev/null' || die "the service can write its own code"
  log "  ok: dev keyring written to /app/keys; /app/dist is read-only for the service"
  check_ready "$base"

  hc=$("${PODMAN[@]}" image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")
  case "$hc" in *readyz*) ;; *) die "no HEALTHCHECK on /readyz in the image: $hc" ;; esac
  log "  ok: HEALTHCHECK $hc"
  # Once by hand, as a scheduler would.
  "${PODMAN[@]}" healthcheck run "$name" || die "the HEALTHCHECK command failed"
  log "  ok: podman healthcheck run -> healthy"

  log "image size: $("${PODMAN[@]}" images --format '{{.Size}}' "$IMAGE") ($IMAGE; base $("${PODMAN[@]}" images --format '{{.Size}}' "$BASE_IMAGE"))"

  log "stopping $name"
  podman_quiet stop -t 10 "$name" >/dev/null
  podman_quiet rm -v "$name" >/dev/null
  trap - EXIT

  smoke_production
  log "smoke test passed"
}

# Production as the README tells it: a KEK file, a config with a real client, `keys init` into a
# mounted keys directory, then `serve` with config, keys, audit and KEK mounted.
smoke_production() {
  local dir name="sectoken-smoke-prod-$$" base="http://127.0.0.1:$SMOKE_PORT" apikey body i
  dir=$(mktemp -d /tmp/sectoken-prod.XXXXXX)
  SMOKE_CONTAINER=$name SMOKE_DIR=$dir
  trap 'remove_smoke_container; rm -rf "$SMOKE_DIR"' EXIT
  mkdir -p "$dir/etc" "$dir/keys" "$dir/audit"
  log "production: KEK, config with one client, keys init in $dir"
  podman_quiet run "${RUN_FLAGS[@]}" --rm "$IMAGE" keys new-kek >"$dir/kek"
  # shellcheck disable=SC2016
  node -e 'const fs = require("fs"); const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    delete c.$comment; c.development = false; c.clients = [];
    fs.writeFileSync(process.argv[2], JSON.stringify(c, null, 2) + "\n")' config/sectoken.dev.json "$dir/etc/sectoken.json"
  chown -R 1000:1000 "$dir/etc" "$dir/keys" "$dir/audit" "$dir/kek"
  chmod 0700 "$dir/keys" "$dir/audit"
  chmod 0600 "$dir/kek"
  local mounts=(-v "$dir/etc:/etc/sectoken" -v "$dir/keys:/app/keys" -v "$dir/audit:/var/lib/sectoken/audit"
    -e SECTOKEN_AUDIT_DIR=/var/lib/sectoken/audit
    -v "$dir/kek:/run/secrets/sectoken-kek:ro" -e SECTOKEN_CONFIG=/etc/sectoken/sectoken.json
    -e SECTOKEN_KEK_FILE=/run/secrets/sectoken-kek -e SECTOKEN_INSTANCE_ID=smoke-1)
  apikey=$(podman_quiet run "${RUN_FLAGS[@]}" --rm "${mounts[@]}" "$IMAGE" \
    clients add --id smoke-backend --role service --sectors health 2>/dev/null | grep -o 'stk_[A-Za-z0-9_-]*' | tail -n1) \
    || die "clients add failed"
  podman_quiet run "${RUN_FLAGS[@]}" --rm "${mounts[@]}" "$IMAGE" keys init >/dev/null 2>&1 || die "keys init failed"
  # Without a named instance, production refuses to start (the host name changes with each container).
  if out=$("${PODMAN[@]}" run "${RUN_FLAGS[@]}" --rm "${mounts[@]}" -e SECTOKEN_INSTANCE_ID= "$IMAGE" 2>&1); then
    die "production started without SECTOKEN_INSTANCE_ID: $out"
  fi
  grep -q 'production needs SECTOKEN_INSTANCE_ID' <<<"$out" || die "unexpected refusal: $out"
  log "  ok: production without SECTOKEN_INSTANCE_ID refused"
  podman_quiet run "${RUN_FLAGS[@]}" -d --name "$name" -p "127.0.0.1:$SMOKE_PORT:8080" "${mounts[@]}" "$IMAGE" >/dev/null
  for i in $(seq 1 60); do
    curl -fsS --max-time 2 "$base/healthz" >/dev/null 2>&1 && break
    if [ "$i" -eq 60 ] || [ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$name")" != true ]; then
      "${PODMAN[@]}" logs "$name" >&2 || true
      die "production container not healthy"
    fi
    sleep 0.5
  done
  body=$(curl -fsS --max-time 5 "$base/v1/tokens" -H "Authorization: Bearer $apikey" \
    -H 'Content-Type: application/json' -d '{"sector":"health","nationalId":"AB123456"}') || die "production POST /v1/tokens failed"
  grep -q '"token":"[^"]' <<<"$body" || die "no token in $body"
  curl -fsS -o /dev/null --max-time 5 "$base/v1/tokens" -H 'Authorization: Bearer stk_dev_hospital-backend' \
    -H 'Content-Type: application/json' -d '{"sector":"health","nationalId":"AB123456"}' 2>/dev/null \
    && die "production accepted a published development API key"
  body=$("${PODMAN[@]}" logs "$name" 2>&1)
  grep -q '"development":false' <<<"$body" || die "production container did not log development:false"
  check_ready "$base"
  log "  ok: production (mounted config, keyring, KEK file): POST /v1/tokens gives a token; dev API key refused"
  podman_quiet stop -t 10 "$name" >/dev/null
  podman_quiet rm -v "$name" >/dev/null
  rm -rf "$dir"
  trap - EXIT
}

# /readyz: 200 once keys and the audit log are usable (a 404 means a build from before /readyz).
check_ready() {
  local code body
  body=$(curl -sS --max-time 5 -o - -w '\n%{http_code}' "$1/readyz") || die "GET /readyz failed"
  code=${body##*$'\n'}
  body=${body%$'\n'*}
  case "$code" in
    200) log "  ok: GET /readyz -> $body" ;;
    404) log "  (no /readyz in this build)" ;;
    *) die "GET /readyz answered $code $body" ;;
  esac
}

remove_smoke_container() {
  if [ -n "${SMOKE_CONTAINER:-}" ]; then
    "${PODMAN[@]}" rm -f -v -t 5 "$SMOKE_CONTAINER" >/dev/null 2>&1 || true
  fi
}

main() {
  local cmd=${1:-all}
  case "$cmd" in
    base) ensure_tools; cmd_base ;;
    build) ensure_tools; cmd_build ;;
    smoke) ensure_tools; cmd_smoke ;;
    all) ensure_tools; cmd_base; cmd_build; cmd_smoke ;;
    -h | --help | help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" ;;
    *) die "unknown command '$cmd' (base, build, smoke, all)" ;;
  esac
}

main "$@"
