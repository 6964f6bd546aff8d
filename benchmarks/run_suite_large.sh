#!/bin/sh
# Run the larger tier and write benchmarks/RESULTS-large.md (cactus plot, table, ratios).
# From the repository root:  sh benchmarks/run_suite_large.sh
# Environment: TIMEOUT (default 60 s), JOBS (default 2), OUT (default benchmarks/results-large).
set -u
TIMEOUT=${TIMEOUT:-60}
JOBS=${JOBS:-2}
OUT=${OUT:-benchmarks/results-large}
ermsolve bench benchmarks/suite-large \
  --encodings bv,cnf,lia,nia,cpsat,auto \
  --solvers bv:bitwuzla,cnf:cadical195 \
  --timeout "$TIMEOUT" --jobs "$JOBS" -o "$OUT"
status=$?
python benchmarks/write_results.py "$OUT" benchmarks/RESULTS-large.md --timeout "$TIMEOUT" \
  --jobs "$JOBS" --suite benchmarks/suite-large --see-also benchmarks/RESULTS.md \
  --command "sh benchmarks/run_suite_large.sh" --make-command "sh benchmarks/make_suite_large.sh"
exit $status
