#!/usr/bin/env bash
# Records what every command in scripts/check/commands.txt prints (stdout, stderr, exit
# status) with each backend, one file per command and backend, into the folder given (default
# .build/recorded-outputs). Recording before and after a change that must not change any
# output, then `diff -r`, shows whether it did. Builds carerates (debug) first.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-.build/recorded-outputs}"
swift build --product carerates >&2
bin=.build/debug/carerates
mkdir -p "$out"
n=0
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  n=$((n + 1))
  eval "args=($line)"
  for backend in lapack swift; do
    file=$(printf '%s/%03d-%s.txt' "$out" "$n" "$backend")
    extra=()
    [[ "${args[0]}" =~ ^(fit|residuals|predict|compare)$ ]] && extra=(--backend "$backend")
    {
      echo "\$ carerates $line"
      status=0
      "$bin" "${args[@]}" "${extra[@]}" >"$file.out" 2>"$file.err" || status=$?
      echo "--- stdout"; cat "$file.out"
      echo "--- stderr"; cat "$file.err"
      echo "--- exit $status"
    } >"$file"
    rm -f "$file.out" "$file.err"
  done
done < scripts/check/commands.txt
echo "recorded $n commands x 2 backends in $out" >&2
