#!/bin/bash
# The distributed tests (docs/distributed.md): every run under
# `mpirun -n K` (K = 2, 3, 4 on one machine) must print exactly what the same
# command prints without MPI: the same report to the last digit (JSON keeps
# 17 significant digits, so equal text means equal doubles), the same
# diagnostics, the same exit code.
#
#   run.sh SCENARIO MLEC MAKE_DATA SOURCE_DIR WORK_DIR
#
# SCENARIO: models (every model in models/ and tests/reference/trust/), big (rows over several blocks
# on every rank, each feature of a fit), errors (data errors found on a late
# rank), failures (a rank that hangs or dies), shards (the data as several
# files, each read whole by one rank).
set -u
scenario=$1
mlec=$2
make_data=$3
source_dir=$4
work=$5/$scenario
mkdir -p "$work"
cd "$work" || exit 1

# Oversubscribe: 4 ranks on a 2-core machine. No shared-memory single copy:
# containers often forbid the ptrace it needs.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# All ranks share this machine: shared memory only (no network transports to
# probe) and Open MPI's own point-to-point layer instead of UCX, whose start
# costs about 0.6 of the 2 s an `mpirun` of a small fit takes here. The
# messages, and so the results, are the same.
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader
mpirun=(mpirun --allow-run-as-root --oversubscribe)
ranks=(2 3 4)
failures=0

# mpirun's own notices (a non-zero exit of rank 0) are framed by dashed lines.
strip_mpirun() { awk '/^-----/{inside=!inside; next} !inside' "$1"; }

# same NAME ARGS...: the command without MPI, then under each K.
same() {
    local name=$1
    shift
    "$mlec" "$@" > "$name.out" 2> "$name.err"
    local rc=$?
    for k in "${ranks[@]}"; do
        "${mpirun[@]}" -n "$k" "$mlec" "$@" > "$name.$k.out" 2> "$name.$k.raw"
        local rck=$?
        strip_mpirun "$name.$k.raw" > "$name.$k.err"
        if [ "$rc" != "$rck" ] || ! cmp -s "$name.out" "$name.$k.out" || ! cmp -s "$name.err" "$name.$k.err"; then
            echo "FAIL $name with $k ranks: exit $rc without MPI, $rck with"
            diff "$name.out" "$name.$k.out" | head -5
            diff "$name.err" "$name.$k.err" | head -5
            failures=$((failures + 1))
        else
            echo "ok   $name with $k ranks (exit $rc, $(wc -c < "$name.out") bytes)"
        fi
    done
}

case $scenario in
models)
    for model in "$source_dir"/models/*.mle; do
        name=$(basename "$model" .mle)
        data="$source_dir/models/$name.csv"
        [ -f "$data" ] || data="$source_dir/models/xor.csv"
        same "$name" "$model" "$data" --format json
    done
    # The trust examples (tests/reference/trust/README.md): decisions that
    # must not depend on units must not depend on the number of ranks either.
    for model in "$source_dir"/tests/reference/trust/*.mle; do
        name=trust_$(basename "$model" .mle)
        same "$name" "$model" "${model%.mle}.csv" --format json
        same "${name}_text" "$model" "${model%.mle}.csv"
    done
    ;;
big)
    "$make_data" 12000 big.csv || exit 1
    m=$source_dir/tests/mpi/models
    same logistic "$m/logistic_groups.mle" big.csv --format json
    grep -q '"name": "a\[g5\]"' logistic.out || { echo "FAIL logistic: level g5 missing"; failures=$((failures + 1)); }
    same logistic_text "$m/logistic_groups.mle" big.csv
    same logistic_lbfgs "$m/logistic_groups.mle" big.csv --method lbfgs --format json
    same logistic_threads "$m/logistic_groups.mle" big.csv --threads 1 --format json
    cmp -s logistic.out logistic_threads.out || { echo "FAIL: --threads 1 differs from all threads"; failures=$((failures + 1)); }
    same logistic_profile "$m/logistic_groups.mle" big.csv --ci profile --format json
    same logistic_starts "$m/logistic_groups.mle" big.csv --starts 3 --seed 5 --format json
    same logistic_bootstrap "$m/logistic_groups.mle" big.csv --bootstrap 3 --seed 7 --format json
    same logistic_gradient "$m/logistic_groups.mle" big.csv --check-gradient --format json
    same logistic_simulate simulate "$m/logistic_groups.mle" big.csv --seed 3
    same logistic_predict predict "$m/logistic_groups.mle" big.csv big.csv
    # --output: each rank writes its own rows into the file, at its offset.
    "$mlec" simulate "$m/logistic_groups.mle" big.csv --seed 3 --output simulate_file.1.csv
    for k in 1 "${ranks[@]}"; do
        [ "$k" = 1 ] || "${mpirun[@]}" -n "$k" "$mlec" simulate "$m/logistic_groups.mle" big.csv --seed 3 \
            --output "simulate_file.$k.csv" > /dev/null
        if cmp -s logistic_simulate.out "simulate_file.$k.csv"; then
            echo "ok   simulate --output with $k ranks equals the printed rows"
        else
            echo "FAIL simulate --output with $k ranks"
            failures=$((failures + 1))
        fi
    done
    same poisson "$m/poisson_levels.mle" big.csv --format json
    grep -q '"name": "e\[40\]"' poisson.out || { echo "FAIL poisson: level 40 missing"; failures=$((failures + 1)); }
    same poisson_simulate simulate "$m/poisson_levels.mle" big.csv --seed 11
    same normal_drop "$m/normal_missing.mle" big.csv --na drop --format json
    grep -qF '256 of 12000 rows were dropped' normal_drop.out || { echo "FAIL normal_drop: 256 rows should be dropped"; failures=$((failures + 1)); }
    same two_outcomes "$m/two_outcomes.mle" big.csv --format json
    same two_outcomes_bootstrap "$m/two_outcomes.mle" big.csv --bootstrap 2 --format json
    same categorical "$m/categorical.mle" big.csv --format json
    same mixture "$m/mixture.mle" big.csv --format json
    same compare compare "$m/two_outcomes.mle" "$source_dir/tests/mpi/models/logistic_groups.mle" big.csv
    ;;
errors)
    "$make_data" 12000 big.csv || exit 1
    m=$source_dir/tests/mpi/models
    # A missing cell without --na drop: row 12 is the first.
    same missing "$m/normal_missing.mle" big.csv
    grep -qF "row 12, column 'x3': missing value" missing.err || { echo "FAIL missing: wrong message"; failures=$((failures + 1)); }
    # A bad number, a bad outcome and a bad group level, each far into the
    # file (in the last rank's part).
    awk -F, 'NR == 11001 {$4 = "abc"} 1' OFS=, big.csv > bad_number.csv
    same bad_number "$m/logistic_groups.mle" bad_number.csv
    grep -qF "bad_number.csv:11001:" bad_number.err || { echo "FAIL bad_number: wrong position"; failures=$((failures + 1)); }
    awk -F, 'NR == 9001 {$7 = 2} 1' OFS=, big.csv > bad_outcome.csv
    same bad_outcome "$m/logistic_groups.mle" bad_outcome.csv
    grep -qF "row 9000, column 'yb'" bad_outcome.err || { echo "FAIL bad_outcome: wrong row"; failures=$((failures + 1)); }
    awk -F, 'NR == 10001 {$2 = ""} 1' OFS=, big.csv > bad_level.csv
    same bad_level "$m/logistic_groups.mle" bad_level.csv
    head -c 200000 big.csv > short_line.csv  # ends in the middle of a row
    same short_line "$m/logistic_groups.mle" short_line.csv
    same missing_file "$m/logistic_groups.mle" no_such_file.csv
    same bad_model "$source_dir/tests/cases/parse_bad_character.mle" big.csv
    head -1 big.csv > header_only.csv
    same no_rows "$m/logistic_groups.mle" header_only.csv
    same predict_no_rows predict "$m/logistic_groups.mle" big.csv header_only.csv
    ;;
shards)
    # big.csv cut into 2, 3 and 5 files, each with the header, at uneven
    # rows (the k-th cut after a fraction (k/n)^1.3 of the rows): fewer,
    # as many and more files than ranks. Each list must give on every K
    # what it gives without MPI, and that must be the single file's report
    # but for the data's name.
    "$make_data" 12000 big.csv || exit 1
    m=$source_dir/tests/mpi/models
    without_name() { grep -v '"data":' "$1"; }
    for model in logistic_groups poisson_levels; do
        "$mlec" "$m/$model.mle" big.csv --format json > "$model.whole.out"
    done
    for n in 2 3 5; do
        rm -f part$n-*.csv
        awk -v n="$n" 'NR == 1 {header = $0; next}
            {k = 0; while (k + 1 < n && NR - 2 >= int(((k + 1) / n) ^ 1.3 * 12000)) k++
             f = "part" n "-" k ".csv"; if (!(f in started)) {print header > f; started[f] = 1}; print > f}' big.csv
        [ "$(ls part$n-*.csv | wc -l)" = "$n" ] || { echo "FAIL: $n shards not written"; failures=$((failures + 1)); }
        for model in logistic_groups poisson_levels; do
            same "${model}_$n" "$m/$model.mle" part$n-*.csv --format json
            if ! cmp -s <(without_name "${model}_$n.out") <(without_name "$model.whole.out"); then
                echo "FAIL ${model}_$n: the shards' fit is not the whole file's"
                diff <(without_name "${model}_$n.out") <(without_name "$model.whole.out") | head -5
                failures=$((failures + 1))
            fi
        done
        # The pattern, matched by mlec (rank 0's match on every rank).
        same "glob_$n" "$m/logistic_groups.mle" "part$n-*.csv" --format json
        cmp -s "glob_$n.out" "logistic_groups_$n.out" || { echo "FAIL glob_$n: differs from the list"; failures=$((failures + 1)); }
    done
    grep -qF '"data": "part5-0.csv, ..., part5-4.csv (5 files)"' logistic_groups_5.out ||
        { echo "FAIL logistic_groups_5: data not named by its files"; failures=$((failures + 1)); }
    same shards_text "$m/logistic_groups.mle" part3-*.csv
    same shards_drop "$m/normal_missing.mle" part5-*.csv --na drop --format json
    same shards_simulate simulate "$m/poisson_levels.mle" part5-*.csv --seed 11
    same shards_predict predict "$m/logistic_groups.mle" "part3-*.csv" "part5-*.csv"
    same shards_compare compare "$m/two_outcomes.mle" "$m/logistic_groups.mle" "part5-*.csv"
    # Errors: the first in file order, named in its own file, on every K.
    same shards_missing "$m/normal_missing.mle" part5-*.csv
    grep -qF "part5-0.csv:13:" shards_missing.err || { echo "FAIL shards_missing: wrong position"; failures=$((failures + 1)); }
    for k in 0 1 2 3 4; do cp part5-$k.csv bad5-$k.csv; done
    awk -F, 'NR == 31 {$4 = "abc"} 1' OFS=, part5-4.csv > bad5-4.csv
    same shards_bad_number "$m/logistic_groups.mle" bad5-*.csv
    grep -qF "bad5-4.csv:31:" shards_bad_number.err || { echo "FAIL shards_bad_number: wrong position"; failures=$((failures + 1)); }
    cp part5-4.csv bad5-4.csv
    awk -F, 'NR == 21 {$7 = 2} 1' OFS=, part5-3.csv > bad5-3.csv
    same shards_bad_outcome "$m/logistic_groups.mle" bad5-*.csv
    grep -qF "row 20 of bad5-3.csv, column 'yb'" shards_bad_outcome.err || { echo "FAIL shards_bad_outcome: wrong row"; failures=$((failures + 1)); }
    cp part5-3.csv bad5-3.csv
    sed '1s/x1/z1/' part5-2.csv > bad5-2.csv
    same shards_bad_header "$m/logistic_groups.mle" bad5-*.csv
    grep -qF "bad5-2.csv:1:" shards_bad_header.err || { echo "FAIL shards_bad_header: wrong position"; failures=$((failures + 1)); }
    same shards_missing_file "$m/logistic_groups.mle" part5-0.csv no_such_file.csv part5-1.csv
    same shards_no_match "$m/logistic_groups.mle" "no_such_part-*.csv"
    grep -qF "no file matches 'no_such_part-*.csv'" shards_no_match.err || { echo "FAIL shards_no_match: wrong message"; failures=$((failures + 1)); }
    ;;
failures)
    # A rank that hangs (stopped) or dies (killed) in the middle of a fit:
    # the others must end the job with an error, not wait for ever.
    "$make_data" 40000 big.csv || exit 1
    m=$source_dir/tests/mpi/models
    for signal in STOP KILL; do
        start=$(date +%s)
        "${mpirun[@]}" -n 3 "$mlec" "$m/logistic_groups.mle" big.csv --bootstrap 100000 --mpi-timeout 3 \
            > "$signal.out" 2> "$signal.err" &
        job=$!
        victim=""
        for _ in $(seq 50); do  # the ranks are up within a few seconds
            sleep 0.2
            [ "$(pgrep -c -f "^$mlec .*--mpi-timeout 3")" = 3 ] && break
        done
        sleep 2
        victim=$(pgrep -n -f "^$mlec .*--mpi-timeout 3")
        if [ -z "$victim" ]; then
            echo "FAIL $signal: no rank to stop"
            failures=$((failures + 1))
            kill "$job"
            continue
        fi
        kill -"$signal" "$victim"
        wait "$job"
        rc=$?
        elapsed=$(($(date +%s) - start))
        if [ "$rc" = 0 ] || [ "$elapsed" -gt 60 ]; then
            echo "FAIL $signal: mpirun exited $rc after $elapsed s"
            failures=$((failures + 1))
        else
            echo "ok   a rank sent SIG$signal: the job ended with exit $rc after $elapsed s"
        fi
        if [ "$signal" = STOP ] && ! grep -q "no answer from the other ranks within 3 s" "$signal.err"; then
            echo "FAIL STOP: no timeout message"
            cat "$signal.err"
            failures=$((failures + 1))
        fi
        pkill -KILL -f "^$mlec .*--mpi-timeout 3" 2> /dev/null
    done
    ;;
api)
    # The library API (tests/mpi/api_test.cpp), given as MLEC.
    "$make_data" 12000 big.csv || exit 1
    for k in 2 4; do
        "${mpirun[@]}" -n "$k" "$mlec" "$source_dir/tests/mpi/models/logistic_groups.mle" big.csv || failures=$((failures + 1))
        "${mpirun[@]}" -n "$k" "$mlec" "$source_dir/tests/mpi/models/normal_missing.mle" big.csv && {
            echo "FAIL: a missing value must fail the bind"
            failures=$((failures + 1))
        }
    done
    ;;
*)
    echo "unknown scenario $scenario"
    exit 2
    ;;
esac

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all distributed runs agree"
