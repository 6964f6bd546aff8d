#!/bin/sh
# Run the committed suite and rewrite benchmarks/RESULTS.md (cactus plot, table, ratios).
# From the repository root:  sh benchmarks/run_suite.sh
# Environment: TIMEOUT (default 20 s), JOBS (default 2), OUT (default benchmarks/results).
set -u
TIMEOUT=${TIMEOUT:-20}
JOBS=${JOBS:-2}
OUT=${OUT:-benchmarks/results}
ermsolve bench benchmarks/suite \
  --encodings bv,cnf,lia,nia,cpsat,brute-vec,milp,auto \
  --solvers bv:z3,bv:bitwuzla,cnf:cadical195 \
  --timeout "$TIMEOUT" --jobs "$JOBS" -o "$OUT"
status=$?
python benchmarks/write_results.py "$OUT" benchmarks/RESULTS.md --timeout "$TIMEOUT" \
  --jobs "$JOBS" --see-also benchmarks/RESULTS-large.md
exit $status
