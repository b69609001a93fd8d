#!/usr/bin/env bash
# A fake Lean REPL (leanprover-community/repl) for lemma's LeanChecker tests: reads one command
# `{"cmd": "..."}` ended by a blank line from standard input until end of file, then answers as
# the REPL does, choosing the answer by a marker in the code:
#   FAKE_ERROR        an error message (severity error, with positions)
#   sorry             a tactic-mode sorry: a sorries entry and the "declaration uses 'sorry'" warning
#   FAKE_TERM_SORRY   only the warning (what Lean reports for a term-mode sorry)
#   FAKE_WARNING      a linter warning only (the proof is still valid)
#   FAKE_REPL_FAIL    the REPL's own failure, {"message": "Unknown environment."}
#   FAKE_GARBAGE      text that is not JSON
#   FAKE_EXIT         a valid-looking answer, then exit status 3 with a message on standard error
#   FAKE_HANG         never answers (sleeps in a child process, as `lake exe repl` runs the REPL)
#   FAKE_FLOOD        prints far more than any output limit
#   FAKE_PWD          an info message whose text is the working directory
# anything else: a clean answer {"env": 0}. Input that is not one REPL command gets the REPL's
# "Could not parse JSON" failure, so a framing mistake cannot pass as a proof.
# Options: --pid-file FILE (FAKE_HANG writes its child's pid there), --close-stdin (closes
# standard input unread and answers at once: the writer gets EPIPE).
set -u

pid_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pid-file) pid_file=$2; shift 2 ;;
    --close-stdin)
      exec 0<&-
      printf '{"env": 0}\n\n'
      exit 0
      ;;
    *) echo "fake_lean_repl.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

input=$(cat)

case "$input" in
  '{"cmd":'*) ;;
  *)
    printf '{"message": "Could not parse JSON: expected a command"}\n\n'
    exit 0
    ;;
esac

case "$input" in
  *FAKE_HANG*)
    sleep 30 &
    child=$!
    [ -n "$pid_file" ] && echo "$child" > "$pid_file"
    wait "$child"
    printf '{"env": 0}\n\n'
    ;;
  *FAKE_GARBAGE*)
    printf 'uncaught exception: this is not JSON\n'
    ;;
  *FAKE_EXIT*)
    printf '{"env": 0}\n\n'
    echo "fake repl: out of memory" >&2
    exit 3
    ;;
  *FAKE_FLOOD*)
    yes '{"padding": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' | head -c 4000000
    ;;
  *FAKE_REPL_FAIL*)
    printf '{"message": "Unknown environment."}\n\n'
    ;;
  *FAKE_PWD*)
    printf '{"env": 0, "messages": [{"severity": "info", "pos": {"line": 1, "column": 0}, "endPos": null, "data": "%s"}]}\n\n' "$PWD"
    ;;
  *FAKE_ERROR*)
    cat <<'EOF'
{"messages":
 [{"severity": "error",
   "pos": {"line": 3, "column": 2},
   "endPos": {"line": 3, "column": 8},
   "data": "linarith failed to find a contradiction\ncase a\nx : ℕ\n⊢ False"},
  {"severity": "warning",
   "pos": {"line": 1, "column": 8},
   "endPos": {"line": 1, "column": 11},
   "data": "declaration uses 'sorry'"}],
 "env": 0}

EOF
    ;;
  *FAKE_TERM_SORRY*)
    printf '{"messages": [{"severity": "warning", "pos": {"line": 1, "column": 8}, "endPos": {"line": 1, "column": 12}, "data": "declaration uses '"'"'sorry'"'"'"}], "env": 0}\n\n'
    ;;
  *sorry*)
    printf '{"sorries": [{"proofState": 0, "pos": {"line": 2, "column": 2}, "endPos": {"line": 2, "column": 7}, "goal": "x : ℕ\\n⊢ x + 0 = x"}], "messages": [{"severity": "warning", "pos": {"line": 1, "column": 8}, "endPos": {"line": 1, "column": 12}, "data": "declaration uses '"'"'sorry'"'"'"}], "env": 0}\n\n'
    ;;
  *FAKE_WARNING*)
    printf '{"messages": [{"severity": "warning", "pos": {"line": 2, "column": 4}, "endPos": {"line": 2, "column": 9}, "data": "unused variable `h`\\nnote: this linter can be disabled with `set_option linter.unusedVariables false`"}], "env": 0}\n\n'
    ;;
  *)
    printf '{"env": 0}\n\n'
    ;;
esac
