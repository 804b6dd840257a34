#!/bin/sh
# The exact training runs of the shipped checkpoints (see README.md). Run from training/.
# Needs an optimised BLAS: with Debian's reference libblas a step is ~8x slower
# (apt-get install libopenblas0-serial switches the libblas.so.3 alternative).
set -e
mkdir -p out/logs
for cfg in "0067 0.0067 1" "0018 0.0018 2"; do
    set -- $cfg
    nohup /usr/bin/python3 train.py --name mbt2018_mean_n64_m96_l$1 --N 64 --M 96 --lmbda $2 \
        --batch 8 --patch 128 --lr 1e-3 --aux-lr 1e-2 --decay-frac 0.15 --stop-at 03:32 \
        --threads 1 --seed $3 --ckpt-every 250 > out/logs/l$1.log 2>&1 &
done
