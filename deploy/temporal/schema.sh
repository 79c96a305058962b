#!/bin/sh
# Creates or upgrades Temporal's two databases (temporal, temporal_visibility) on PostgreSQL with the
# admin-tools image's temporal-sql-tool. Idempotent: an existing database is kept, a schema at the newest
# version is left as it is, so the job runs at every `docker compose up` and after an image upgrade.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the PostgreSQL host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD (the password of POSTGRES_USER) is required}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql_tool() {
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for database in temporal temporal_visibility; do
    case "$database" in
        temporal) versioned="$SCHEMA_ROOT/temporal/versioned" ;;
        *) versioned="$SCHEMA_ROOT/visibility/versioned" ;;
    esac
    echo "temporal-schema: $database"
    sql_tool --db "$database" create
    sql_tool --db "$database" setup-schema -v 0.0
    sql_tool --db "$database" update-schema -d "$versioned"
done
echo "temporal-schema: done"
