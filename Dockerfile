# Trent in a container (README: "Packaging: npm and Docker"). Two stages: the first compiles the TypeScript and
# better-sqlite3's native module with the build tools; the second carries only the compiled code and the production
# dependencies, runs as the unprivileged `node` user, and keeps its data in a volume.
#
#   docker build -t trent .
#   docker run -p 4599:4599 trent dev
#   docker run -p 4599:4599 -v trent-data:/var/lib/trent -v "$PWD/tls:/tls:ro" \
#     -e TRENT_TLS_CERT=/tls/cert.pem -e TRENT_TLS_KEY=/tls/key.pem trent serve

FROM node:20-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt binary when it can and compiles itself otherwise: the tools for the latter.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off for the install (prepare would build before the sources are here); better-sqlite3's own, after.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY src ./src
COPY bin ./bin
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TRENT_HOST=0.0.0.0 \
    TRENT_PORT=4599 \
    TRENT_DATA_DIR=/var/lib/trent
WORKDIR /opt/trent
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist/src ./dist/src
# The store and root.key live in the volume, owned by the user Trent runs as (Trent keeps it mode 0700).
RUN mkdir -p /var/lib/trent && chown node:node /var/lib/trent
USER node
VOLUME /var/lib/trent
EXPOSE 4599
# Plain HTTP on the container's loopback: with TLS on (TRENT_TLS_CERT), replace this check with one over https.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.TRENT_PORT + '/-/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/trent/bin/trent.js"]
CMD ["serve"]
