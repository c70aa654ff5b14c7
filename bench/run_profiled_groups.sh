#!/bin/sh
# Group parameters profiled out (docs/language.md, "Parameters"): a Poisson
# model with one entry per level of g, `y ~ poisson_log(u[g] + c*x)`, on
# K levels of 5 rows, fitted by mlec with the entries profiled out (the
# default from 200 entries) and as dense coordinates of theta (the same
# model with `u[g] > -1000`, which keeps them in theta), medians of N runs,
# with their ratio; then the profiled fit alone on 2,000 levels, the size
# whose dense fit the issue measured at 37 s and 1.6 GB.
#
#     bench/run_profiled_groups.sh [mlec binary] [K=300] [N=3]
#
# The data come from awk's generator with a fixed seed (the same file for
# a given awk), so both fits read the same rows.
set -eu
mlec=${1:-build/mlec}
k=${2:-300}
n=${3:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

data() {  # $1 levels -> CSV on stdout
    awk -v K="$1" 'BEGIN {
        srand(11); print "y,x,g"
        for (g = 1; g <= K; g++) {
            a = 0.5 * sqrt(-2 * log(rand())) * cos(6.283185307179586 * rand())
            for (r = 0; r < 5; r++) {
                x = sqrt(-2 * log(rand())) * cos(6.283185307179586 * rand())
                mu = exp(1 + a + 0.3 * x); y = 0; p = exp(-mu); s = p; u = rand()
                while (u > s) { y++; p *= mu / y; s += p }
                printf "%d,%.17g,%d\n", y, x, g
            }
        }
    }'
}

median_seconds() {  # $1 model, $2 data: the median wall time of N fits
    for i in $(seq "$n"); do
        /usr/bin/time -f %e "$mlec" "$1" "$2" 2>&1 >/dev/null | tail -1
    done | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

printf 'param u[g]\ny ~ poisson_log(u[g] + c*x)\n' > "$dir/profiled.mle"
printf 'param u[g] > -1000\ny ~ poisson_log(u[g] + c*x)\n' > "$dir/dense.mle"
data "$k" > "$dir/k.csv"
profiled=$(median_seconds "$dir/profiled.mle" "$dir/k.csv")
dense=$(median_seconds "$dir/dense.mle" "$dir/k.csv")
echo "K = $k levels: profiled $profiled s, dense $dense s (medians of $n)"
awk -v p="$profiled" -v d="$dense" 'BEGIN { if (p > 0) printf "dense / profiled: %.1f\n", d / p }'
data 2000 > "$dir/2000.csv"
/usr/bin/time -f "K = 2000 levels, profiled: %e s, %M KB" "$mlec" "$dir/profiled.mle" "$dir/2000.csv" 2>&1 >/dev/null | tail -1
