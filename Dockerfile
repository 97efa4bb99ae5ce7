# sectoken container image: build with dev dependencies, run with production ones only.
#
#   docker build -t sectoken .                      (or: scripts/container.sh build, with buildah)
#   docker run -p 8080:8080 -e NODE_ENV=development sectoken          (sample config, throwaway dev keys)
#   docker run -p 8080:8080 -v /srv/sectoken/config.json:/etc/sectoken/config.json:ro \
#     -v /srv/sectoken/keys:/app/keys -v /srv/sectoken/audit:/app/audit \
#     -v /srv/sectoken/kek:/run/secrets/sectoken-kek:ro -e SECTOKEN_CONFIG=/etc/sectoken/config.json \
#     -e SECTOKEN_KEK_FILE=/run/secrets/sectoken-kek -e SECTOKEN_INSTANCE_ID=sectoken-1 sectoken
#                                                                     (production: the default)
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
COPY package.json package-lock.json ./
# Scripts are skipped here (`prepare` would compile before src/ is copied); the build comes next.
RUN npm ci --ignore-scripts
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
# State, in the package root by default: keys/ holds the keyring (keyring.json in production;
# dev-keyring.json and dev.kek in development), audit/ the audit log (SECTOKEN_AUDIT_DIR, one file
# per SECTOKEN_INSTANCE_ID). Mount volumes or directories writable by UID 1000.
VOLUME ["/app/keys", "/app/audit"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "const h=process.env.HOST;const host=!h||h==='0.0.0.0'||h==='::'?'127.0.0.1':h.includes(':')?'['+h+']':h;fetch('http://'+host+':'+(process.env.PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
