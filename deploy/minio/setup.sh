#!/bin/sh
# The object store's side of Praxis, with MinIO's `mc`: the evidence bucket (R16), versioned so that a
# deleted or overwritten object can be restored, and an access key for Praxis limited to that bucket.
# Idempotent: run at every `docker compose up`.
set -eu
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is required}"
: "${PRAXIS_S3_SECRET_ACCESS_KEY:?PRAXIS_S3_SECRET_ACCESS_KEY is required}"
MINIO_URL="${MINIO_URL:-http://minio:9000}"
MINIO_ROOT_USER="${MINIO_ROOT_USER:-praxis-admin}"
BUCKET="${BUCKET:-praxis}"
PRAXIS_S3_ACCESS_KEY_ID="${PRAXIS_S3_ACCESS_KEY_ID:-praxis}"
POLICY=/tmp/praxis-bucket-policy.json

mc alias set store "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "store/$BUCKET"
mc version enable "store/$BUCKET"

cat >"$POLICY" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": ["arn:aws:s3:::$BUCKET"]},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": ["arn:aws:s3:::$BUCKET/*"]}
  ]
}
JSON
mc admin policy create store praxis-evidence "$POLICY"
# `user add` on an existing user sets its secret again, so a changed secret takes effect on the next up.
mc admin user add store "$PRAXIS_S3_ACCESS_KEY_ID" "$PRAXIS_S3_SECRET_ACCESS_KEY"
mc admin policy attach store praxis-evidence --user "$PRAXIS_S3_ACCESS_KEY_ID" 2>/dev/null \
    || echo "minio-setup: policy praxis-evidence already attached to $PRAXIS_S3_ACCESS_KEY_ID"
echo "minio-setup: bucket $BUCKET ready for $PRAXIS_S3_ACCESS_KEY_ID"
