#!/bin/sh
# What Praxis needs in its Temporal namespace, with the `temporal` CLI of the admin-tools image:
#   1. the namespace, with its retention (how long Temporal keeps a closed workflow's history);
#   2. the custom search attributes operators filter on (workflows/attributes.py; ids only, all Keyword).
# Idempotent: an existing namespace gets the retention set again, an existing attribute is left as it is.
# The same script runs as the compose service `temporal-setup` and the Kubernetes Job `praxis-temporal-setup`.
set -eu
: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS (host:port of the Temporal frontend) is required}"
NAMESPACE="${PRAXIS_TEMPORAL_NAMESPACE:-praxis}"
RETENTION_DAYS="${PRAXIS_TEMPORAL_RETENTION_DAYS:-30}"
ATTEMPTS="${SETUP_ATTEMPTS:-60}"
PAUSE_SECONDS="${SETUP_PAUSE_SECONDS:-5}"
# Keep in step with workflows/attributes.py (tests/deploy check it).
SEARCH_ATTRIBUTES="PraxisStage PraxisSemester PraxisStudentId PraxisSupervisorId PraxisGroupId"

case "$RETENTION_DAYS" in
    '' | *[!0-9]*) echo "praxis-setup: PRAXIS_TEMPORAL_RETENTION_DAYS must be a whole number of days" >&2; exit 2 ;;
esac
# Hours, which every version of the CLI parses as a duration.
RETENTION="$((RETENTION_DAYS * 24))h"

# The server answers health before its namespace cache and search attribute cache have caught up, so
# each step is retried rather than run once.
retry() {
    attempt=1
    until "$@"; do
        if [ "$attempt" -ge "$ATTEMPTS" ]; then
            echo "praxis-setup: gave up after $ATTEMPTS attempts: $*" >&2
            return 1
        fi
        echo "praxis-setup: not yet ($attempt/$ATTEMPTS): $*" >&2
        attempt=$((attempt + 1))
        sleep "$PAUSE_SECONDS"
    done
}

ensure_namespace() {
    if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
        temporal operator namespace update --namespace "$NAMESPACE" --retention "$RETENTION"
    else
        temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" \
            --description "Praxis: the Social Practice course's workflows"
    fi
}

ensure_search_attribute() {
    if temporal operator search-attribute list --namespace "$NAMESPACE" | grep -qw "$1"; then
        return 0
    fi
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$1" --type Keyword
}

echo "praxis-setup: waiting for Temporal at $TEMPORAL_ADDRESS"
retry temporal operator cluster health
echo "praxis-setup: namespace $NAMESPACE, retention $RETENTION_DAYS days"
retry ensure_namespace
for name in $SEARCH_ATTRIBUTES; do
    echo "praxis-setup: search attribute $name (Keyword)"
    retry ensure_search_attribute "$name"
done
echo "praxis-setup: done"
