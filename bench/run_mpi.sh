#!/usr/bin/env bash
# Strong scaling of a distributed fit on one machine (docs/distributed.md):
# the 1,000,000-row logistic regression of run_big.sh fitted by one process,
# then by `mpirun -n 1` and `mpirun -n 2` with one thread per rank, each the
# median of REPETITIONS whole runs; and the cost of the one exchange each
# evaluation makes (allreduce_cost). Every run must give the same report.
#
#   bench/run_mpi.sh [WORK_DIR [REPETITIONS]]
#
# BUILD_DIR (environment, default build-bench-mpi) is the CMake build used.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench-mpi}
work=${1:-$build/bench-data}
reps=${2:-5}
mkdir -p "$work"
work=$(cd "$work" && pwd)

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMLEC_BUILD_TESTS=OFF -DMLEC_NATIVE=ON -DMLEC_MPI=ON \
    -DMLEC_PYTHON=OFF > /dev/null
cmake --build "$build" --target mlec_cli generate_big allreduce_cost -j2

[[ -f $work/logistic_big.csv ]] || "$build/bench/generate_big" "$work"
linear="b0"
for j in $(seq 1 10); do linear+=" + b$j*x$j"; done
echo "y ~ bernoulli(sigmoid($linear))" > "$work/logistic.mle"

export OMPI_MCA_btl_vader_single_copy_mechanism=none
mpirun=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
mlec=$build/mlec
cd "$work"

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# run LABEL COMMAND...: REPETITIONS runs; prints the medians of the wall
# time, the data stage and the fit, and the fit's time per evaluation.
declare -A fit_median
run() {
    local label=$1
    shift
    local walls=() datas=() fits=()
    for _ in $(seq "$reps"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" logistic.mle logistic_big.csv --format json --timing > "out.$label.json" 2> "err.$label.txt"
        t1=$(date +%s.%N)
        walls+=("$(echo "$t1 - $t0" | bc -l)")
        datas+=("$(grep -o 'data [0-9.]* s' "err.$label.txt" | awk '{print $2}')")
        fits+=("$(grep -o 'fit [0-9.]* s' "err.$label.txt" | awk '{print $2}')")
    done
    local evals wall data fit
    evals=$(grep -o '"evaluations": [0-9]*' "out.$label.json" | awk '{print $2}')
    wall=$(printf '%s\n' "${walls[@]}" | median)
    data=$(printf '%s\n' "${datas[@]}" | median)
    fit=$(printf '%s\n' "${fits[@]}" | median)
    fit_median[$label]=$fit
    printf '%-28s wall %6.3f s   data %6.3f s   fit %6.3f s   %2d evaluations: %6.2f ms each\n' \
        "$label" "$wall" "$data" "$fit" "$evals" "$(echo "1000 * $fit / $evals" | bc -l)"
}

echo "== strong scaling, logistic_big.csv (1,000,000 rows x 10 covariates), medians of $reps runs"
run "one process, 1 thread" "$mlec" --threads 1
run "mpirun -n 1, 1 thread" "${mpirun[@]}" -n 1 "$mlec" --threads 1
run "mpirun -n 2, 1 thread each" "${mpirun[@]}" -n 2 "$mlec" --threads 1
run "one process, 2 threads" "$mlec" --threads 2
printf 'fit speed-up of 2 ranks over 1: %.2f x\n' \
    "$(echo "${fit_median["mpirun -n 1, 1 thread"]} / ${fit_median["mpirun -n 2, 1 thread each"]}" | bc -l)"
for label in "mpirun -n 1, 1 thread" "mpirun -n 2, 1 thread each" "one process, 2 threads"; do
    cmp -s "out.one process, 1 thread.json" "out.$label.json" || echo "DIFFERENT REPORT: $label"
done
echo "reports: identical" 

echo "== the exchange per evaluation"
"${mpirun[@]}" -n 2 "$build/bench/allreduce_cost"
