#!/usr/bin/env bash
# The largest crossed mixed model of models/mixed: InstEval (73,421 rows; random
# intercepts for 2972 students, 1128 lecturers and 14 departments, q = 4114
# effects), fitted by maximum likelihood from its CSV file by mlec and, in the
# same run, by lme4's lmer (R, reference BLAS), each as a whole process (start,
# read the CSV, fit, print). Prints each tool's median over the runs, their
# ratio and both log-likelihoods. See bench/README.md.
#
#   bench/run_insteval.sh [REPETITIONS]
#
# BUILD_DIR (environment, default build-bench) is the CMake build directory
# whose mlec is timed (configured here if it is not yet); THREADS (default:
# mlec's, all cores) is passed to mlec as --threads. GLMMTMB=1 times glmmTMB's
# fit of the same model in each run as well (about two minutes a run).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
reps=${1:-3}
model=$root/models/mixed/InstEval.mle
data=$root/models/mixed/InstEval.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

packages=(r-base-core r-cran-lme4)
[[ ${GLMMTMB:-0} == 1 ]] && packages+=(r-cran-glmmtmb)
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || {
        echo "needs the Debian package $pkg" >&2
        exit 1
    }
done
if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMLEC_BUILD_TESTS=OFF -DMLEC_BUILD_BENCH=OFF \
        -DMLEC_PYTHON=OFF > /dev/null
fi
cmake --build "$build" --target mlec_cli -j2 > /dev/null

# The same model as models/mixed/InstEval.mle and the reference's lmer_ML fit
# (models/mixed/reference/InstEval.R): treatment contrasts, ML, bobyqa.
cat > "$work/lmer.R" <<EOF_R
suppressPackageStartupMessages(library(lme4))
d <- read.csv("$data")
for (v in c("service", "lectage", "studage", "s", "d", "dept")) d[[v]] <- factor(d[[v]])
t0 <- Sys.time()
f <- lmer(y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept), d, REML = FALSE,
          control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
cat(sprintf("fit_seconds %.3f\nlog_likelihood %.10f\n", as.numeric(Sys.time() - t0, units = "secs"),
            as.numeric(logLik(f))))
EOF_R

# glmmTMB's fit, as models/mixed/reference/InstEval.R's glmmTMB_ML.
cat > "$work/glmmTMB.R" <<EOF_R
suppressPackageStartupMessages(library(glmmTMB))
d <- read.csv("$data")
for (v in c("service", "lectage", "studage", "s", "d", "dept")) d[[v]] <- factor(d[[v]])
t0 <- Sys.time()
f <- glmmTMB(y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept), d, family = gaussian)
cat(sprintf("fit_seconds %.3f\nlog_likelihood %.10f\n", as.numeric(Sys.time() - t0, units = "secs"),
            as.numeric(logLik(f))))
EOF_R

seconds() { date +%s.%N; }
since() { awk -v now="$(seconds)" -v t0="$1" 'BEGIN {printf "%.3f\n", now - t0}'; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
threads=()
[[ -n ${THREADS:-} ]] && threads=(--threads "$THREADS")

: > "$work/mlec.times"
: > "$work/lmer.times"
: > "$work/glmmTMB.times"
for ((i = 1; i <= reps; ++i)); do
    t0=$(seconds)
    # A fit with a warning exits with its own code (README): still timed.
    "$build/mlec" "${threads[@]}" --format json "$model" "$data" > "$work/mlec.json" || echo "mlec exited with $?"
    since "$t0" >> "$work/mlec.times"
    t0=$(seconds)
    Rscript "$work/lmer.R" > "$work/lmer.out"
    since "$t0" >> "$work/lmer.times"
    echo "run $i: mlec $(tail -1 "$work/mlec.times") s, lmer $(tail -1 "$work/lmer.times") s" \
        "(its fit alone $(awk '/fit_seconds/ {print $2}' "$work/lmer.out") s)"
    if [[ ${GLMMTMB:-0} == 1 ]]; then
        t0=$(seconds)
        Rscript "$work/glmmTMB.R" > "$work/glmmTMB.out"
        since "$t0" >> "$work/glmmTMB.times"
        echo "run $i: glmmTMB $(tail -1 "$work/glmmTMB.times") s" \
            "(its fit alone $(awk '/fit_seconds/ {print $2}' "$work/glmmTMB.out") s)"
    fi
done
mlec_s=$(median < "$work/mlec.times")
lmer_s=$(median < "$work/lmer.times")
mlec_ll=$(sed -n 's/^  "log_likelihood": \([^,]*\),$/\1/p' "$work/mlec.json")
lmer_ll=$(awk '/log_likelihood/ {print $2}' "$work/lmer.out")
echo "InstEval, ML, whole process (read the CSV, fit, report), median of $reps runs; load $(cut -d' ' -f1 /proc/loadavg)"
printf '  mlec  %8.2f s   log-likelihood %s\n' "$mlec_s" "$mlec_ll"
printf '  lmer  %8.2f s   log-likelihood %s\n' "$lmer_s" "$lmer_ll"
awk -v a="$lmer_s" -v b="$mlec_s" 'BEGIN {printf "  lmer / mlec: %.1fx\n", a / b}'
if [[ ${GLMMTMB:-0} == 1 ]]; then
    glmmtmb_s=$(median < "$work/glmmTMB.times")
    printf '  glmmTMB %6.2f s   log-likelihood %s\n' "$glmmtmb_s" "$(awk '/log_likelihood/ {print $2}' "$work/glmmTMB.out")"
    awk -v a="$glmmtmb_s" -v b="$mlec_s" 'BEGIN {printf "  glmmTMB / mlec: %.1fx\n", a / b}'
fi
