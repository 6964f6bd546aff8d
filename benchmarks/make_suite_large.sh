#!/bin/sh
# Regenerate the larger tier benchmarks/suite-large/ (deterministic): bigger networks, more
# samples, more weight bits and nonzero thresholds than benchmarks/suite, so that solving
# rather than building a formula dominates.  Not tuned: every sweep that was tried is here.
# Run from the repository root:  sh benchmarks/make_suite_large.sh
set -e
OUT=${1:-benchmarks/suite-large}
rm -rf "$OUT"
g() { ermsolve gen "$@" -o "$OUT"; }
# parity on 3 to 5 input bits, wider hidden layers, two weight domains
g parity -n 1 --seed 21 --bits 3:4 --width 3:4
g parity -n 1 --seed 22 --bits 3:4 --width 2:3 --domain fixed:3:1
g parity -n 1 --seed 39 --bits 5 --width 2:3
# planted teachers: more samples and width, depth 2, 3- and 4-bit weights, squared loss,
# a polynomial activation and the rational domain
g planted -n 1 --seed 23 --samples 32:64:32 --width 3:4 --bits 3
g planted -n 1 --seed 24 --samples 16:32:16 --width 2:3 --depth 2 --bits 3
g planted -n 1 --seed 25 --samples 12 --width 2 --loss squared --bits 3
g planted -n 1 --seed 35 --samples 8:12:4 --width 2 --activation square
g planted -n 1 --seed 36 --samples 6:8:2 --width 2 --domain rational:2:2
g planted -n 1 --seed 37 --samples 16:24:8 --width 2:3 --loss squared
g planted -n 1 --seed 38 --samples 48 --width 4:6:2 --bits 4
# random labels, at threshold 0 and at 1/8 (two errors in 16)
g random-labels -n 1 --seed 26 --samples 16:24:8 --width 3:4
g random-labels -n 1 --seed 34 --samples 16:24:8 --width 3:4 --threshold 1/8
# real data: up to all 100 Iris rows, Iris versicolor/virginica and Wine at thresholds 0 and 1/16
g real -n 1 --seed 27 --dataset iris --samples 48:96:48 --width 2:3
g real -n 1 --seed 33 --dataset iris --samples 100 --width 2:3 --bits 2
g real -n 1 --seed 28 --dataset iris-hard --samples 32:64:32 --width 2:3
g real -n 1 --seed 31 --dataset iris-hard --samples 32:64:32 --width 2:3 --threshold 1/16
g real -n 1 --seed 29 --dataset wine --samples 48:96:48 --width 2:3
g real -n 1 --seed 32 --dataset wine --samples 32:64:32 --width 2:3 --threshold 1/16
