# syntax=docker/dockerfile:1
#
# The intctl image: `intctl controller` (the default command) and `intctl environment serve`.
#
#   docker build -t intctl .
#   docker run --read-only --tmpfs /tmp -v intctl-state:/var/lib/intctl \
#     -e INTCTL_GIT_URL=https://github.com/acme/integrations.git intctl controller
#
# It runs as uid 10001 and writes only to INTCTL_STATE_DIR (/var/lib/intctl: embedded
# environments, the Git mirrors) and /tmp (git's temporary files): mount
# both and the root file system can be read-only. There is no HEALTHCHECK: Kubernetes probes
# GET /healthz and GET /readyz on port 8080 (the Helm chart in charts/intctl does).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: production dependencies only. better-sqlite3 is a native addon: its install script
# fetches a prebuilt binary or compiles one with python3, make and g++, which stay in this stage.
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The `prepare` script (the CLI's ahead-of-time build) finds no sources here and does nothing;
# the runtime stage builds dist/ once its sources are copied.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: Node, git (the controller mirrors and reads the tracked repository with it), ssh
# for ssh remotes, CA certificates for https, and tini as PID 1 (it forwards SIGTERM to Node and
# reaps the git and ssh processes that a timed-out fetch leaves behind).
FROM ${NODE_IMAGE} AS runtime
# OCI image annotations (https://github.com/opencontainers/image-spec/blob/main/annotations.md).
# CI passes the release and the commit it is built from:
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) \
#     --build-arg SOURCE=https://github.com/acme/intctl --build-arg CREATED=$(date -u +%FT%TZ) .
# NODE_IMAGE is declared before the first FROM: named again here so the label can read it.
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=""
ARG CREATED=""
LABEL org.opencontainers.image.title="intctl" \
      org.opencontainers.image.description="GitOps for API integrations and the connections they run with" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 intctl \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/intctl --no-create-home --shell /usr/sbin/nologin intctl \
 && mkdir -p /var/lib/intctl \
 && chown 10001:10001 /var/lib/intctl
WORKDIR /app
ENV NODE_ENV=production \
    INTCTL_STATE_DIR=/var/lib/intctl \
    HOME=/tmp \
    TMPDIR=/tmp
# Only what the CLI loads at run time: no tests, examples, benchmarks or dev dependencies.
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY controller ./controller
COPY crds ./crds
COPY specs ./specs
# Compile the CLI ahead of time (bin/build.js, esbuild, a production dependency): the image starts
# from dist/ and never compiles TypeScript at run time.
RUN node /app/bin/build.js \
 && chmod 0755 /app/bin/intctl.js \
 && ln -s /app/bin/intctl.js /usr/local/bin/intctl
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "intctl"]
CMD ["controller"]
