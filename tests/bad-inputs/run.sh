#!/usr/bin/env bash
# Runs every case of tests/bad-inputs/cases.txt against the panama command and checks that it is refused
# as documented (docs/input-limits.md): exit status 2 within the timeout, the expected fragment on standard
# error, no SystemC report (E549) and no "internal error", and nothing created in the case's output folder.
# Usage: run.sh PANAMA_BIN [NAME_FILTER]. The timeout per case is generous (PANAMA_BAD_INPUT_TIMEOUT,
# default 30 s, for sanitizer builds on a busy machine): a refusal takes well under a second, and what it
# catches is an input that runs or hangs instead of being refused.
set -u
PANAMA=${1:?usage: run.sh PANAMA_BIN [NAME_FILTER]}
FILTER=${2:-}
PANAMA=$(realpath "$PANAMA") && [ -x "$PANAMA" ] || { echo "run.sh: no executable panama at '$1'"; exit 1; }
D=$(cd "$(dirname "$0")" && pwd)
TIMEOUT=${PANAMA_BAD_INPUT_TIMEOUT:-30}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pass=0
fail=0
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
while IFS= read -r line || [ -n "$line" ]; do
  case $(trim "$line") in '' | '#'*) continue ;; esac
  IFS='|' read -r name expect args <<<"$line"
  name=$(trim "$name")
  expect=$(trim "$expect")
  [ -n "$FILTER" ] && [[ $name != *"$FILTER"* ]] && continue
  T="$WORK/$name"
  mkdir -p "$T"
  args=${args//@D/$D}
  args=${args//@T/$T}
  expect=${expect//@D/$D}
  read -ra argv <<<"$args"
  start=${EPOCHREALTIME/./}
  (cd "$T" && exec timeout -k 5 "$TIMEOUT" "$PANAMA" "${argv[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err")
  rc=$?
  us=$((${EPOCHREALTIME/./} - start))
  secs=$(printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000)))
  why=""
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    why="no answer within ${TIMEOUT} s"
  elif [ "$rc" -ne 2 ]; then
    why="exit status $rc, expected 2"
  elif ! grep -qF -- "$expect" "$WORK/$name.err"; then
    why="standard error does not contain '$expect'"
  elif grep -q "E549\|internal error" "$WORK/$name.out" "$WORK/$name.err"; then
    why="an uncaught exception was reported"
  elif [ -n "$(ls -A "$T")" ]; then
    why="created $(ls -A "$T" | head -3 | tr '\n' ' ')in its output folder"
  fi
  if [ -z "$why" ]; then
    pass=$((pass + 1))
    printf 'ok    %-28s %5s s  %s\n' "$name" "$secs" "$(head -c 160 "$WORK/$name.err" | head -1)"
  else
    fail=$((fail + 1))
    printf 'FAIL  %-28s %5s s  %s\n' "$name" "$secs" "$why"
    sed 's/^/        stdout: /' "$WORK/$name.out" | head -5
    sed 's/^/        stderr: /' "$WORK/$name.err" | head -5
  fi
done <"$D/cases.txt"
echo "bad-inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
