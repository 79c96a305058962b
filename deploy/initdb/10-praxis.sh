#!/bin/sh
# PostgreSQL's entrypoint runs this once, on an empty data directory: the Praxis role and database beside
# Temporal's (temporal and temporal_visibility are created by the temporal-schema job as POSTGRES_USER).
# The Praxis role owns only its own database; it is not a superuser and cannot touch Temporal's.
set -eu
: "${PRAXIS_DB_PASSWORD:?PRAXIS_DB_PASSWORD must be set (see deploy/README.md)}"
PRAXIS_DB_NAME="${PRAXIS_DB_NAME:-praxis}"
PRAXIS_DB_USER="${PRAXIS_DB_USER:-praxis}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v role="$PRAXIS_DB_USER" -v password="$PRAXIS_DB_PASSWORD" -v database="$PRAXIS_DB_NAME" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
