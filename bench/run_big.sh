#!/usr/bin/env bash
# End-to-end speed benchmark on 1,000,000-row data sets: mlec (read the CSV,
# fit, report) against a hand-written C++ baseline, R (data.table::fread +
# glm) and statsmodels (pandas.read_csv + GLM), each timed as a whole process
# with /usr/bin/time -v. See bench/README.md.
#
#   bench/run_big.sh [WORK_DIR [REPETITIONS]]
#
# WORK_DIR (default: build-bench/bench-data) receives the generated CSV files,
# the model files and every tool's output. Delete the CSV files there to
# regenerate them (the generator is deterministic, so that is only needed
# after changing it). BUILD_DIR (environment, default build-bench) is the
# CMake build directory used.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
work=${1:-$build/bench-data}
reps=${2:-3}
mkdir -p "$work"
work=$(cd "$work" && pwd)

# --- tools: install only what is missing (Debian package names) -------------
missing=()
for pkg in r-base-core r-cran-data.table python3-statsmodels python3-pandas time; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- build --------------------------------------------------------------------
# -march=native for mlec and the hand-written baselines alike (MLEC_NATIVE,
# the default, applies to every target: Eigen's alignment must agree).
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMLEC_BUILD_TESTS=OFF -DMLEC_NATIVE=ON > /dev/null
cmake --build "$build" --target mlec_cli generate_big baseline_fit logistic_eval -j2

# --- one evaluation: mlec's graph against hand-written loops (in memory) ------
echo "== one NLL + gradient evaluation, 1,000,000 rows x 10 covariates"
"$build/bench/logistic_eval" | tee "$work/logistic_eval.out"

# --- data and models -------------------------------------------------------------
if [[ ! -f $work/logistic_big.csv || ! -f $work/poisson_big.csv ]]; then
    echo "generating data in $work"
    "$build/bench/generate_big" "$work"
fi

linear="b0"
formula="y ~ x1"
for j in $(seq 1 10); do linear+=" + b$j*x$j"; done
for j in $(seq 2 10); do formula+=" + x$j"; done
echo "y ~ bernoulli(sigmoid($linear))" > "$work/logistic.mle"
echo "y ~ poisson(exp($linear))" > "$work/poisson.mle"

# Every tool prints `load_seconds S`, `fit_seconds S` and one
# `param NAME ESTIMATE STD_ERROR` line per coefficient, intercept first
# (mlec prints JSON instead; the summary below reads both).
r_code() {  # $1 csv, $2 family
    cat <<EOF
suppressMessages(library(data.table))
t0 <- Sys.time()
d <- fread("$1")
t1 <- Sys.time()
f <- glm($formula, data = d, family = $2)
s <- summary(f)\$coefficients
t2 <- Sys.time()
cat(sprintf("load_seconds %.4f\nfit_seconds %.4f\niterations %d\n",
            as.numeric(t1 - t0, units = "secs"), as.numeric(t2 - t1, units = "secs"), f\$iter))
for (i in seq_len(nrow(s))) cat(sprintf("param %s %.17g %.17g\n", rownames(s)[i], s[i, 1], s[i, 2]))
EOF
}

py_code() {  # $1 csv, $2 family class of statsmodels
    cat <<EOF
import time
t0 = time.perf_counter()
import pandas as pd
import statsmodels.api as sm
t1 = time.perf_counter()
d = pd.read_csv("$1")
t2 = time.perf_counter()
X = sm.add_constant(d[["x%d" % j for j in range(1, 11)]])
fit = sm.GLM(d["y"], X, family=sm.families.$2()).fit()
bse = fit.bse
t3 = time.perf_counter()
print("import_seconds %.4f" % (t1 - t0))
print("load_seconds %.4f" % (t2 - t1))
print("fit_seconds %.4f" % (t3 - t2))
for name in fit.params.index:
    print("param %s %r %r" % (name, float(fit.params[name]), float(bse[name])))
EOF
}

runs="$work/runs.tsv"
: > "$runs"
run_tool() {  # $1 data set, $2 tool, then the command
    local data=$1 tool=$2 rep rc
    shift 2
    for rep in $(seq 1 "$reps"); do
        local stem="$work/out.$data.$tool.$rep"
        rc=0
        /usr/bin/time -v -o "$stem.time" "$@" > "$stem.out" 2> "$stem.err" || rc=$?
        printf '%s\t%s\t%s\t%s\t%s\n' "$data" "$tool" "$rep" "$rc" "$stem" >> "$runs"
        echo "  $data $tool run $rep: exit $rc, $(grep 'Elapsed (wall' "$stem.time" | sed 's/.*: //') wall"
    done
}

for data in logistic poisson; do
    csv="$work/${data}_big.csv"
    if [[ $data == logistic ]]; then r_family=binomial; py_family=Binomial; else r_family=poisson; py_family=Poisson; fi
    echo "== $data"
    run_tool "$data" mlec "$build/mlec" "$work/$data.mle" "$csv" --format json --timing
    run_tool "$data" mlec-1-thread "$build/mlec" "$work/$data.mle" "$csv" --format json --timing --threads 1
    run_tool "$data" baseline "$build/bench/baseline_fit" "$data" "$csv"
    run_tool "$data" R Rscript -e "$(r_code "$csv" "$r_family")"
    run_tool "$data" statsmodels /usr/bin/python3 -c "$(py_code "$csv" "$py_family")"
done

# --- summary ------------------------------------------------------------------
/usr/bin/python3 - "$runs" "$work" <<'EOF'
import json, os, re, statistics, sys

runs_file, work = sys.argv[1], sys.argv[2]
tools = ["mlec", "mlec-1-thread", "baseline", "R", "statsmodels"]

def parse_time(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            parts = [float(p) for p in line.rsplit(": ", 1)[1].split(":")]
            secs = 0.0
            for p in parts:
                secs = secs * 60 + p
            out["wall"] = secs
        elif line.startswith("Maximum resident set size"):
            out["rss_mb"] = int(line.rsplit(": ", 1)[1]) / 1024
        elif line.startswith("User time"):
            out["user"] = float(line.rsplit(": ", 1)[1])
        elif line.startswith("System time"):
            out["sys"] = float(line.rsplit(": ", 1)[1])
    return out

def parse_output(tool, path):
    """Estimates and standard errors, intercept first, plus any timings."""
    text = open(path).read()
    if tool.startswith("mlec"):
        j = json.loads(text)
        est = [p["estimate"] for p in j["parameters"]]
        se = [p["std_error"] for p in j["parameters"]]
        extra = {"iterations": j.get("iterations")}
        # --timing writes "timing: model S s, data S s (M MB, R MB/s), fit S s, ..." on stderr
        err = open(path[:-len(".out")] + ".err").read()
        m = re.search(r"data ([0-9.]+) s \(([0-9.]+) MB, ([0-9.]+) MB/s\), fit ([0-9.]+) s", err)
        if m:
            extra.update(load_seconds=float(m.group(1)), load_mb_per_s=float(m.group(3)),
                         fit_seconds=float(m.group(4)))
        return est, se, extra
    est, se, extra = [], [], {}
    for line in text.splitlines():
        f = line.split()
        if f and f[0] == "param":
            est.append(float(f[2]))
            se.append(float(f[3]))
        elif len(f) == 2 and re.fullmatch(r"[a-z_]+", f[0]):
            try:
                extra[f[0]] = float(f[1])
            except ValueError:
                pass
    if tool == "baseline":
        for line in text.splitlines():
            f = line.split()
            if len(f) == 3 and f[0] not in ("parameter",) and not f[0].startswith("baseline"):
                est.append(float(f[1]))
                se.append(float(f[2]))
    return est, se, extra

def max_rel(a, b):
    if not a or not b or len(a) != len(b) or any(x is None for x in a + b):
        return float("nan")
    return max(abs(x - y) / abs(y) for x, y in zip(a, b))

runs = {}
for line in open(runs_file):
    data, tool, rep, rc, stem = line.rstrip("\n").split("\t")
    runs.setdefault((data, tool), []).append((int(rc), stem))

tolerance = 1e-6
all_agree = True

# One evaluation (logistic_eval, printed above): the lines that answer the
# targets, gathered into the summary.
evals = {}
for line in open(os.path.join(work, "logistic_eval.out")):
    m = re.match(r"(.+?)\s+([0-9.]+) ms(.*)", line.rstrip())
    if m:
        evals[m.group(1).strip()] = (float(m.group(2)), m.group(3).strip())
if evals:
    base_ms = min(v[0] for k, v in evals.items() if k.startswith("hand-written"))
    grad_ms = evals.get("mlec NLL + gradient", (float("nan"),))[0]
    hess_ms = evals.get("mlec NLL + gradient + Hessian", (float("nan"),))[0]
    all_ms = evals.get("mlec NLL + gradient, all cores", (float("nan"),))[0]
    print()
    print("one NLL + gradient evaluation, logistic, 1,000,000 rows x 10 covariates (medians of 11):")
    print("  fastest hand-written baseline %.2f ms; mlec 1 thread %.2f ms (%.2fx); all threads %.2f ms "
          "(%.2fx the baseline, %.2fx faster than 1 thread)" %
          (base_ms, grad_ms, grad_ms / base_ms, all_ms, all_ms / base_ms, grad_ms / all_ms))
    print("  exact Hessian (with NLL and gradient) %.2f ms = %.2fx one gradient" % (hess_ms, hess_ms / grad_ms))
for data in ["logistic", "poisson"]:
    csv = os.path.join(work, data + "_big.csv")
    size_mb = os.path.getsize(csv) / 1e6
    print()
    print("%s_big.csv: %.1f MB" % (data, size_mb))
    rows = {}
    for tool in tools:
        results = runs.get((data, tool), [])
        ok = [(rc, stem) for rc, stem in results if rc == 0]
        if not ok:
            rows[tool] = None
            continue
        times = [parse_time(stem + ".time") for _, stem in ok]
        est, se, extra = parse_output(tool, ok[-1][1] + ".out")
        extras = [parse_output(tool, stem + ".out")[2] for _, stem in ok]
        rows[tool] = {
            "wall": statistics.median(t["wall"] for t in times),
            "cpu": statistics.median(t["user"] + t["sys"] for t in times),
            "rss": statistics.median(t["rss_mb"] for t in times),
            "est": est, "se": se, "n": len(ok), "failed": len(results) - len(ok),
            "load": statistics.median(e["load_seconds"] for e in extras) if all("load_seconds" in e for e in extras) else None,
            "fit": statistics.median(e["fit_seconds"] for e in extras) if all("fit_seconds" in e for e in extras) else None,
            "load_rate": statistics.median(e["load_mb_per_s"] for e in extras) if all("load_mb_per_s" in e for e in extras) else None,
        }
    base = rows.get("baseline")
    ref = rows.get("mlec")
    print("%-14s %7s %7s %7s %7s %7s %7s %7s %7s %9s %9s" %
          ("tool", "wall s", "x base", "x mlec", "CPU s", "RSS MB", "load s", "MB/s", "fit s", "rel est", "rel SE"))
    for tool in tools:
        r = rows[tool]
        if r is None:
            print("%-14s  all runs failed (see %s/out.%s.%s.*.err)" % (tool, work, data, tool))
            all_agree = False
            continue
        d_est = max_rel(r["est"], ref["est"]) if ref else float("nan")
        d_se = max_rel(r["se"], ref["se"]) if ref else float("nan")
        if not (d_est <= tolerance):
            all_agree = False
        ratio = r["wall"] / base["wall"] if base else float("nan")
        slower = r["wall"] / ref["wall"] if ref else float("nan")
        rate = r["load_rate"] if r["load_rate"] else (size_mb / r["load"] if r["load"] else None)
        cell = lambda v, f: (f % v) if v is not None else "-"
        print("%-14s %7.2f %7.2f %7.2f %7.2f %7.0f %7s %7s %7s %9.1e %9.1e%s" %
              (tool, r["wall"], ratio, slower, r["cpu"], r["rss"], cell(r["load"], "%.2f"), cell(rate, "%.0f"),
               cell(r["fit"], "%.2f"), d_est, d_se,
               "" if r["failed"] == 0 else "  (%d runs failed)" % r["failed"]))
    if base and ref:
        print("mlec end to end: %.2fx the baseline's time; peak memory %.2fx" % (ref["wall"] / base["wall"], ref["rss"] / base["rss"]))
print()
print("medians of %s runs; wall and CPU (user + sys) from /usr/bin/time -v, whole process;" %
      max(len(v) for v in runs.values()))
print("x base = wall / the hand-written baseline's; x mlec = wall / mlec's (all threads);")
print("load s and fit s as each tool reports them (mlec: --timing); MB/s = file size / load s")
print("estimates %s to %.0e relative of mlec's" % ("all agree" if all_agree else "DO NOT all agree", tolerance))
sys.exit(0 if all_agree else 1)
EOF
