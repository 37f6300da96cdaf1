#!/usr/bin/env bash
# Runs `pulumi preview` or `pulumi up` of a stack on the stack's in-VPC runner (the CodeBuild
# projects the platform creates in its private subnets, which the cluster admits to its private API
# endpoint), and follows it to the end.
#
#   .github/scripts/in-vpc.sh <stack> preview|deploy
#
# Needs: AWS credentials of the stack's preview or deploy role (deploy/iam), the Pulumi CLI logged
# in (the runner's names are read from the stack's outputs), the AWS CLI v2, git.
set -euo pipefail
stack=${1:?stack}
kind=${2:?preview or deploy}
case "$kind" in
  preview) output=runnerPreviewProject ;;
  deploy) output=runnerDeployProject ;;
  *) echo "kind must be preview or deploy, not '$kind'" >&2; exit 2 ;;
esac

bucket=$(pulumi stack output runnerSourceBucket --stack "$stack")
project=$(pulumi stack output "$output" --stack "$stack")
log_group=$(pulumi stack output runnerLogGroup --stack "$stack")
# One object per run (the bucket is write-once: If-None-Match is required, and each role may write
# only under its own prefix).
key="$kind/${GITHUB_SHA:-$(git rev-parse HEAD)}-${GITHUB_RUN_ID:-local}-${GITHUB_RUN_ATTEMPT:-1}.zip"
archive=$(mktemp --suffix .zip)
git archive --format=zip -o "$archive" HEAD
aws s3api put-object --bucket "$bucket" --key "$key" --body "$archive" --if-none-match '*' > /dev/null
echo "uploaded s3://$bucket/$key"

build=$(aws codebuild start-build --project-name "$project" \
  --source-type-override S3 --source-location-override "$bucket/$key" \
  --query build.id --output text)
echo "started $build"
status=IN_PROGRESS
while [ "$status" = IN_PROGRESS ]; do
  sleep 20
  status=$(aws codebuild batch-get-builds --ids "$build" --query 'builds[0].buildStatus' --output text)
done
stream=$(aws codebuild batch-get-builds --ids "$build" --query 'builds[0].logs.streamName' --output text)
aws logs get-log-events --log-group-name "$log_group" --log-stream-name "$stream" --start-from-head \
  --query 'events[].message' --output text || echo "(log stream $log_group/$stream not readable)"
echo "build $build: $status"
[ "$status" = SUCCEEDED ]
