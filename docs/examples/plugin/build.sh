#!/usr/bin/env bash
# Builds chain.jar, the example plugin of docs/environments.md, against batchq's jar (run `make build` first).
# Usage: docs/examples/plugin/build.sh [BATCHQ_JAR] [OUT_JAR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
batchq=${1:-$here/../../../target/batchq-cli.jar}
out=${2:-chain.jar}
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
javac --release 17 -cp "$batchq" -d "$classes" "$here"/src/org/example/chain/*.java
cp -r "$here"/resources/META-INF "$classes"/
jar --create --file "$out" -C "$classes" .
echo "wrote $out"
