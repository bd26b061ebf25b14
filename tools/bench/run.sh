#!/usr/bin/env bash
# Runs the benchmarks one after another, a header per bench: every tools/bench/*.ts (lib/ holds what they share), or
# only the named ones; flags after `--` go to each of them (see each file's top comment).
#   bash tools/bench/run.sh [NAME...] [-- FLAG...]
#   npm run bench                        all of them (some take minutes)
#   npm run bench -- cli api             only cli.ts and api.ts
#   npm run bench -- api -- --runs 5     api.ts with --runs 5
# A failing bench does not stop the others; the exit status says whether any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

all=()
for f in tools/bench/*.ts; do all+=("$(basename "$f" .ts)"); done

names=()
while (($#)); do
  if [[ $1 == -- ]]; then shift; break; fi
  names+=("${1%.ts}")
  shift
done
flags=("$@")
((${#names[@]})) || names=("${all[@]}")

for name in "${names[@]}"; do
  if [[ ! -f tools/bench/$name.ts ]]; then
    echo "run.sh: no benchmark named $name (there are: ${all[*]})" >&2
    exit 2
  fi
done

failed=()
for name in "${names[@]}"; do
  printf '\n== %s: node --import tsx tools/bench/%s.ts%s\n' "$name" "$name" "${flags[*]:+ ${flags[*]}}"
  start=$SECONDS
  if node --import tsx "tools/bench/$name.ts" "${flags[@]}"; then
    printf -- '-- %s: %d s\n' "$name" $((SECONDS - start))
  else
    status=$?
    printf -- '-- %s: FAILED (exit %d) after %d s\n' "$name" "$status" $((SECONDS - start))
    failed+=("$name")
  fi
done

if ((${#failed[@]})); then
  printf '\nfailed: %s\n' "${failed[*]}" >&2
  exit 1
fi
