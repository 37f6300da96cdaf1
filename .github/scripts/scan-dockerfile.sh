#!/usr/bin/env bash
# Offline image gate of CI: Trivy's own Dockerfile checks (the DS checks of the trivy-checks bundle
# embedded in github.com/aquasecurity/trivy v0.74.0, the ones `trivy config --skip-check-update`
# runs in .github/workflows/image.yml) on the sample image's Dockerfile, failing on HIGH/CRITICAL
# findings. It first proves the gate can fail: a copy of the Dockerfile without its USER line (the
# final stage runs as root) must fail on DS002. Needs only Go and the module proxy.
#
#   .github/scripts/scan-dockerfile.sh [Dockerfile...]    (default: examples/image/Dockerfile)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- examples/image/Dockerfile

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The scanner lives in its own module (tools/), never a requirement of the platform module.
(cd tools && go build -o "$work/dockerfile-scan" ./dockerfile-scan)
# The sample service builds and vets (its own module too).
(cd examples/image && go vet ./... && go build -o "$work/server" .)

echo "-- negative control: $1 without USER must fail on DS002"
mkdir "$work/root"
grep -v '^[[:space:]]*USER[[:space:]]' "$1" > "$work/root/Dockerfile"
set +e
out=$("$work/dockerfile-scan" "$work/root/Dockerfile")
rc=$?
set -e
echo "$out"
if [ "$rc" -ne 1 ] || ! grep -q '^DS-0002 ' <<<"$out"; then
  echo "the scan of a root Dockerfile did not fail on DS002 (exit $rc): the gate is broken"
  exit 1
fi

echo "-- scan: $*"
"$work/dockerfile-scan" -severity HIGH,CRITICAL "$@"
echo "ok"
