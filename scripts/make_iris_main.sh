#!/usr/bin/env bash
# Regenerates the main real-data instances of the quick start and the issue-2 acceptance
# pair (optimum and just below it).  Run from the repository root.
set -euo pipefail
common=(benchmarks/data/iris.csv --features sepal_length,sepal_width --label-column class
        --positive setosa --negative versicolor --rows all --frac-bits 0 --scale 1 --hidden 2
        --activation relu --domain fixed:3:1 --loss zero_one)
# All 100 setosa/versicolor rows, sepal features rounded to integers: the classes overlap,
# and the least zero-one loss of a 2-2-1 ReLU network with 3-bit weights is 2/100.
ermsolve from-csv "${common[@]}" --threshold 1/50 --name iris_sepal_100_opt \
  -o benchmarks/instances/iris_sepal_100_opt.json
# Just below the optimum (reachable losses are multiples of 1/100): unsat.
ermsolve from-csv "${common[@]}" --threshold 199/10000 --name iris_sepal_100_below \
  -o benchmarks/instances/iris_sepal_100_below.json
