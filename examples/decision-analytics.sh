#!/usr/bin/env bash
# The worked example of README "Decision analytics": five support_triage runs in a fresh
# home, then diff, replay, paths, correct, labels export, replay --classifier, show and drift.
# Run from the repository root after `npm run build`: bash examples/decision-analytics.sh
set -euo pipefail
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
sb() { node bin/signalbox.js --home "$home" "$@"; }
run() { sb run support_triage --input "{\"customerId\":\"$1\",\"message\":\"$2\"}" --json 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).run.id))'; }
step() { printf '\n$ signalbox %s\n' "$*"; }

invoice=$(run C-1003 "How do I download last month's invoice?")
refund=$(run C-1007 "Please refund order 5040, it was a mistake")
receipt=$(run C-1003 "I need a receipt for my accountant")
run C-9999 "Where is my order?" >/dev/null
run C-1008 "my colleague left, remove her seat" >/dev/null

step diff "$invoice" "$refund"; sb diff "$invoice" "$refund"
step replay --workflow support_triage --threshold 0.95; sb replay --workflow support_triage --threshold 0.95
step paths --workflow support_triage; sb paths --workflow support_triage
step correct "$receipt" classify_intent --branch billing_question --note "a receipt is billing" --by ana
sb correct "$receipt" classify_intent --branch billing_question --note "a receipt is billing" --by ana
step labels export --node classify_intent --output labels.jsonl
sb labels export --node classify_intent --output "$home/labels.jsonl"; cat "$home/labels.jsonl"
step replay --node classify_intent --classifier labels.jsonl; sb replay --node classify_intent --classifier "$home/labels.jsonl"
step show "$receipt" "| head -1"; sb show "$receipt" | head -1
step drift --workflow support_triage; sb drift --workflow support_triage
