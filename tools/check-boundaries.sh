#!/usr/bin/env bash
# Proves the lint enforces DESIGN.md's dependency rules: a plugin importing another
# plugin, or core importing anything of ours, must fail. Nothing is written to disk.
set -uo pipefail
cd "$(dirname "$0")/.."
probe() { # file, source, expected-to-fail
  local out
  out=$(printf '%s\n' "$2" | npx eslint -c tools/eslint.config.mjs --stdin --stdin-filename "$1" 2>&1)
  if [[ $out != *"enforce-module-boundaries"* ]]; then
    echo "check-boundaries: the lint accepted a forbidden import in $1: $2" >&2
    exit 1
  fi
}
probe packages/events-file/src/probe.ts "import { x } from '@corral/state-sqlite'; export const y = x;"
probe packages/lock-file/src/probe.ts "import { x } from '@corral/distro'; export const y = x;"
probe packages/core/src/probe.ts "import { x } from '@corral/lock-file'; export const y = x;"
probe packages/api-docker/src/probe.ts "import { x } from '@corral/state-sqlite'; export const y = x;"
echo "check-boundaries: plugin-to-plugin and core-to-plugin imports are rejected"
