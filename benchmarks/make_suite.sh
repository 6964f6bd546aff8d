#!/bin/sh
# Regenerate the committed benchmark suite benchmarks/suite/ (deterministic: the same files
# byte for byte on every run).  Run from the repository root:  sh benchmarks/make_suite.sh
set -e
OUT=${1:-benchmarks/suite}
rm -rf "$OUT"
g() { ermsolve gen "$@" -o "$OUT"; }
# n-bit parity (XOR for 2 bits), two weight domains; sweep over input bits and hidden width
g parity -n 1 --seed 1 --bits 2:3 --width 2:3
g parity -n 1 --seed 2 --bits 2:3 --width 2:3 --domain fixed:3:1
# planted teacher (known sat): sweeps over samples, width, depth, weight bits; other losses,
# a polynomial activation and the rational domain
g planted -n 2 --seed 3 --samples 8:24:8 --width 2:3
g planted -n 2 --seed 4 --samples 6 --width 1:2 --loss squared
g planted -n 2 --seed 5 --samples 6:10:4 --width 2 --depth 2
g planted -n 2 --seed 6 --samples 8 --width 2 --bits 2:3
g planted -n 2 --seed 7 --samples 4:6:2 --width 1 --activation square
g planted -n 2 --seed 8 --samples 4:6:2 --width 1 --domain rational:2:2
# random labels (mostly unsat for these small networks)
g random-labels -n 3 --seed 9 --samples 6:12:6 --width 2:3
# growing subsets of the real data (Iris setosa/versicolor and versicolor/virginica, Wine)
g real -n 1 --seed 10 --dataset iris --samples 8:32:8 --width 2
g real -n 1 --seed 11 --dataset iris-hard --samples 8:24:8 --width 2:3
g real -n 1 --seed 12 --dataset wine --samples 8:32:8 --width 2
