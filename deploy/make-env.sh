#!/bin/sh
# Prints a deploy/.env with fresh random secrets for docker-compose.yml:
#   sh deploy/make-env.sh > deploy/.env && chmod 600 deploy/.env
# Compose reads deploy/.env by itself. Keep the file out of version control and back it up with the
# database: the payload keys decrypt Temporal histories, and the database passwords are set only when the
# PostgreSQL volume is first created (a new value later does not change them).
set -eu

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
# URL- and shell-safe secrets: hex only, so they can sit in a database URL unescaped.
secret() { hex 32; }
# A 256-bit AES key, base64, for PRAXIS_PAYLOAD_KEYS (kid:base64key[,kid:base64key...], newest last).
aes_key() { head -c 32 /dev/urandom | base64 | tr -d '\n'; }

cat <<ENV
# Written by deploy/make-env.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Secrets: keep this file private.
POSTGRES_PASSWORD=$(secret)
PRAXIS_DB_PASSWORD=$(secret)
PRAXIS_JWT_SECRET=$(secret)
PRAXIS_ACTION_LINK_SECRET=$(secret)
PRAXIS_PAYLOAD_KEYS=k$(date -u +%Y%m%d):$(aes_key)
MINIO_ROOT_PASSWORD=$(secret)
PRAXIS_S3_SECRET_ACCESS_KEY=$(secret)
GRAFANA_ADMIN_PASSWORD=$(secret)

# Where people reach the stack (the API builds action links from PRAXIS_PUBLIC_URL; the Temporal UI's
# browser calls PRAXIS_PUBLIC_URL/codec and must be allowed by origin).
PRAXIS_PUBLIC_URL=http://localhost:8000
TEMPORAL_UI_PUBLIC_URL=http://localhost:8233
# 127.0.0.1 publishes the ports on this machine only; put a TLS reverse proxy in front for others.
PUBLISH_ADDRESS=127.0.0.1
PRAXIS_TEMPORAL_RETENTION_DAYS=30
ENV
