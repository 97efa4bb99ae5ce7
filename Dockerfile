# sectoken container image: build with dev dependencies, run with production ones only.
#
#   docker build -t sectoken .                      (or: scripts/container.sh build, with buildah)
#   docker run -p 8080:8080 -e NODE_ENV=development sectoken          (sample config, throwaway dev keys)
#   docker run -p 8080:8080 -v /srv/sectoken/etc:/etc/sectoken -e SECTOKEN_CONFIG=/etc/sectoken/sectoken.json \
#     -v /srv/sectoken/keys:/app/keys -v /srv/sectoken/audit:/var/lib/sectoken/audit \
#     -e SECTOKEN_AUDIT_DIR=/var/lib/sectoken/audit -e SECTOKEN_INSTANCE_ID=sectoken-1 \
#     -v /srv/sectoken/kek:/run/secrets/sectoken-kek:ro -e SECTOKEN_KEK_FILE=/run/secrets/sectoken-kek sectoken
#                                                                     (production: the default)
#
# The configuration is mounted as a directory, not a single file: `clients add` and `keys init`
# replace it through a temporary file and a rename, which a single-file bind mount cannot take.
# Production refuses to start without SECTOKEN_INSTANCE_ID (a container's host name changes with
# each container, so each would start a new audit chain) and without SECTOKEN_AUDIT_DIR outside
# /app: the legally required audit log lives in a mounted directory, never in the container's own
# layer or an anonymous volume that `docker rm -v` deletes. Hence no VOLUME here.
#
# The KEK in an HSM instead of a file (README "The KEK in an HSM (PKCS#11)"): mount the vendor's
# PKCS#11 module (and any configuration it reads) and the user PIN as a file, read-only, and name
# them; the image has no module of its own, and without these settings it runs with a file KEK:
#   docker run … -v /opt/vendor/lib/libvendorpkcs11.so:/opt/pkcs11/module.so:ro \
#     -v /srv/sectoken/pkcs11-pin:/run/secrets/sectoken-pkcs11-pin:ro \
#     -e SECTOKEN_PKCS11_MODULE=/opt/pkcs11/module.so -e SECTOKEN_PKCS11_TOKEN=sectoken \
#     -e SECTOKEN_PKCS11_PIN_FILE=/run/secrets/sectoken-pkcs11-pin -e SECTOKEN_REQUIRE_HSM=true …
# A module built for glibc (Debian bookworm) loads here; it must be readable by UID 1000.
#
# BASE_IMAGE must be a Debian bookworm image with Node 20 at /usr/local/bin and a user 1000
# (node:20-bookworm-slim or a local stand-in such as localhost/sectoken-node20-base).
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /app
# Only for builders behind a TLS-intercepting proxy: the path of a CA bundle that the builder mounts
# into the build container. Empty (ignored by Node) by default; an ARG of this stage only, so it never
# reaches the runtime image.
ARG NODE_EXTRA_CA_CERTS=
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# pkcs11js (the PKCS#11 binding) is a native addon, compiled here with node-gyp against the image's
# Node headers (/usr/local/include/node: nothing is downloaded): python3, make and g++ in this stage only.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts are skipped here (`prepare` would compile before src/ is copied); the build comes next,
# and the one native addon is built on its own.
RUN npm ci --ignore-scripts && npm_config_nodedir=/usr/local npm rebuild pkcs11js
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
RUN npm run build \
 && rm -f dist/.tsbuildinfo \
 && npm prune --omit=dev --ignore-scripts \
 && mkdir -p keys audit \
 && chmod 0700 keys audit

FROM ${BASE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="sectoken" \
      org.opencontainers.image.description="Sector tokens for a national digital-identity trusted third party" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Code and configuration stay owned by root (read-only for the service); only keys/ and audit/
# belong to it.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
COPY --from=build --chown=1000:1000 /app/keys ./keys
COPY --from=build --chown=1000:1000 /app/audit ./audit
USER 1000:1000
# keys/ holds the keyring (keyring.json in production: mount a directory writable by UID 1000 over
# it; dev-keyring.json and dev.kek in development); audit/ is the development audit directory only
# (production refuses it, above). No VOLUME: nothing of value goes to an anonymous volume.
EXPOSE 8080
# Health is readiness: /readyz answers 503 while the audit log cannot be written (or its disk is
# nearly full), when the service refuses every audited act; /healthz says only that the process
# answers. Docker and Swarm act on this one check. Kubernetes ignores it: give it /healthz as the
# livenessProbe (restart a process that no longer answers) and /readyz as the readinessProbe (send
# no traffic to an instance that cannot audit; a restart would not fix a full disk).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "const h=process.env.HOST;const host=!h||h==='0.0.0.0'||h==='::'?'127.0.0.1':h.includes(':')?'['+h+']':h;fetch('http://'+host+':'+(process.env.PORT||8080)+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
