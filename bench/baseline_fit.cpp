// The hand-written baseline of the end-to-end speed benchmark (run_big.sh):
// what a careful programmer would write for one model by hand. It reads the
// CSV itself (mmap, one pass, std::from_chars, one thread), then fits a
// logistic or Poisson regression of the column `y` on every other column
// (plus an intercept) by Newton's method, each iteration one fused pass over
// the rows accumulating NLL, gradient and X'WX, to the same convergence test
// as mlec: max_i |g_i| max(|b_i|, 1) / max(|NLL|, 1) <= 1e-9 (Dennis &
// Schnabel, 1996, sec. 7.2). Prints estimates and standard errors (from the
// inverse Hessian), timings and its own peak memory.
//
//   build/bench/baseline_fit logistic|poisson DATA.csv
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <Eigen/Dense>

namespace {

enum class Family { logistic, poisson };

struct Data {
    std::vector<std::string> names;  // intercept first, then the covariates
    int p = 0;                       // columns of X, with the intercept
    std::size_t rows = 0;
    std::vector<double> x;  // row-major, rows x p, x[r * p] == 1
    std::vector<double> y;
};

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "baseline_fit: %s\n", message.c_str());
    std::exit(1);
}

// One pass over the mapped file: header, then one from_chars per cell.
Data load(const char* path, std::size_t& file_bytes) {
    const int fd = ::open(path, O_RDONLY);
    if (fd < 0) fail(std::string("cannot open ") + path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size == 0) fail(std::string("cannot stat or empty: ") + path);
    file_bytes = static_cast<std::size_t>(st.st_size);
    void* map = ::mmap(nullptr, file_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) fail("mmap failed");
    ::madvise(map, file_bytes, MADV_SEQUENTIAL);
    const char* p = static_cast<const char*>(map);
    const char* const end = p + file_bytes;

    Data d;
    int y_col = -1;
    int columns = 0;
    {
        const char* eol = static_cast<const char*>(std::memchr(p, '\n', file_bytes));
        if (!eol) fail("no header line");
        std::string_view header(p, static_cast<std::size_t>(eol - p));
        if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
        d.names.push_back("(intercept)");
        std::size_t start = 0;
        while (true) {
            const std::size_t comma = header.find(',', start);
            const std::string_view name = header.substr(start, comma - start);
            if (name == "y") y_col = columns;
            else d.names.emplace_back(name);
            ++columns;
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        p = eol + 1;
    }
    if (y_col < 0) fail("no column named y");
    d.p = columns;  // the covariates plus the intercept
    const auto p_cols = static_cast<std::size_t>(d.p);
    // Rows estimated from the first line's length keep reallocation rare.
    d.x.reserve((file_bytes / 64 + 16) * p_cols);
    d.y.reserve(file_bytes / 64 + 16);

    std::size_t line = 1;
    while (p < end) {
        ++line;
        d.x.push_back(1.0);
        for (int c = 0; c < columns; ++c) {
            double v;
            const auto res = std::from_chars(p, end, v);
            if (res.ec != std::errc()) fail("line " + std::to_string(line) + ": not a number");
            p = res.ptr;
            if (c == y_col) d.y.push_back(v);
            else d.x.push_back(v);
            const char expected = c + 1 < columns ? ',' : '\n';
            if (expected == '\n' && p < end && *p == '\r') ++p;
            if (p < end && *p == expected) ++p;
            else if (!(p == end && expected == '\n'))
                fail("line " + std::to_string(line) + ": expected " + (expected == ',' ? "','" : "end of line"));
        }
    }
    d.rows = d.y.size();
    ::munmap(map, file_bytes);
    ::close(fd);
    return d;
}

struct Eval {
    double nll = 0;
    Eigen::VectorXd grad;
    Eigen::MatrixXd hess;
};

// One fused pass over the rows, in chunks that stay in cache, written with
// Eigen as a careful programmer would (and compiled with -O3 and, like
// mlec, -march=native unless configured with MLEC_NATIVE=OFF):
// eta = X_chunk beta, then per row
//   logistic: nll = log(1 + e^eta) - y eta, stable as max(eta, 0) +
//             log1p(e^-|eta|) with a vectorized log1p (log(u) x / (u - 1),
//             u = 1 + x: Goldberg 1991); mu = sigmoid(eta), w = mu (1 - mu);
//   Poisson:  nll = e^eta - y eta (+ sum lgamma(y + 1), added once); mu =
//             e^eta, w = mu;
// gradient X' (mu - y), Hessian X' W X as a symmetric rank update with
// sqrt(w) X (w >= 0 for both families), lower triangle only.
Eval evaluate(const Data& d, Family family, const Eigen::VectorXd& beta, double constant) {
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    constexpr Eigen::Index chunk = 2048;
    const Eigen::Index p = d.p;
    const auto rows = static_cast<Eigen::Index>(d.rows);
    Eval e;
    e.grad = Eigen::VectorXd::Zero(p);
    e.hess = Eigen::MatrixXd::Zero(p, p);
    static thread_local Eigen::ArrayXd eta(chunk), ex(chunk), mu(chunk), w(chunk), l(chunk);
    static thread_local RowMajor scaled(chunk, p);
    double nll = 0;
    for (Eigen::Index begin = 0; begin < rows; begin += chunk) {
        const Eigen::Index n = std::min(chunk, rows - begin);
        const Eigen::Map<const RowMajor> x(d.x.data() + begin * p, n, p);
        const Eigen::Map<const Eigen::ArrayXd> y(d.y.data() + begin, n);
        auto et = eta.head(n);
        auto m = mu.head(n);
        auto wt = w.head(n);
        et = (x * beta).array();
        if (family == Family::logistic) {
            auto e_ = ex.head(n);
            auto lg = l.head(n);
            e_ = (-et.abs()).exp();
            const auto u = 1.0 + e_;
            lg = u.log() * (e_ / (u - 1.0));
            for (Eigen::Index i = 0; i < n; ++i) {
                if (1.0 + e_[i] == 1.0) lg[i] = e_[i];
                m[i] = et[i] >= 0 ? 1.0 / (1.0 + e_[i]) : e_[i] / (1.0 + e_[i]);
            }
            nll += (et.max(0.0) + lg - y * et).sum();
            wt = m * (1.0 - m);
        } else {
            m = et.exp();
            nll += (m - y * et).sum();
            wt = m;
        }
        e.grad.noalias() += x.transpose() * (m - y).matrix();
        auto sx = scaled.topRows(n);
        sx.noalias() = wt.sqrt().matrix().asDiagonal() * x;
        e.hess.selfadjointView<Eigen::Lower>().rankUpdate(sx.transpose());
    }
    e.nll = nll + constant;
    e.hess.triangularView<Eigen::StrictlyUpper>() = e.hess.transpose().triangularView<Eigen::StrictlyUpper>();
    return e;
}

double relative_gradient(const Eval& e, const Eigen::VectorXd& beta) {
    const Eigen::ArrayXd scaled = e.grad.array().abs() * beta.array().abs().max(1.0);
    return scaled.maxCoeff() / std::max(std::abs(e.nll), 1.0);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 || (std::strcmp(argv[1], "logistic") != 0 && std::strcmp(argv[1], "poisson") != 0)) {
        std::fprintf(stderr, "usage: baseline_fit logistic|poisson DATA.csv\n");
        return 1;
    }
    const Family family = std::strcmp(argv[1], "logistic") == 0 ? Family::logistic : Family::poisson;
    constexpr double tolerance = 1e-9;
    constexpr int max_iterations = 100;

    const auto t0 = std::chrono::steady_clock::now();
    std::size_t file_bytes = 0;
    const Data d = load(argv[2], file_bytes);
    // sum lgamma(y + 1) does not depend on beta: computed once, so the
    // reported log-likelihood is the full one, comparable with mlec's.
    double constant = 0;
    if (family == Family::poisson)
        for (double y : d.y) constant += std::lgamma(y + 1);
    const double load_s = seconds_since(t0);

    const auto t1 = std::chrono::steady_clock::now();
    Eigen::VectorXd beta = Eigen::VectorXd::Zero(d.p);
    Eval e = evaluate(d, family, beta, constant);
    int iterations = 0;
    double rel = relative_gradient(e, beta);
    bool converged = rel <= tolerance;
    while (!converged && iterations < max_iterations) {
        const Eigen::LDLT<Eigen::MatrixXd> ldlt(e.hess);
        const Eigen::VectorXd step = -ldlt.solve(e.grad);
        // Step halving keeps each iteration a decrease (Newton from zero can
        // overshoot a Poisson regression with a large intercept).
        double t = 1;
        Eval next;
        Eigen::VectorXd candidate;
        for (int halvings = 0; halvings < 50; ++halvings, t /= 2) {
            candidate = beta + t * step;
            next = evaluate(d, family, candidate, constant);
            if (std::isfinite(next.nll) && next.nll <= e.nll) break;
        }
        beta = candidate;
        e = std::move(next);
        ++iterations;
        rel = relative_gradient(e, beta);
        converged = rel <= tolerance;
    }
    const Eigen::MatrixXd cov = e.hess.inverse();
    const double fit_s = seconds_since(t1);

    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const double mb = static_cast<double>(file_bytes) / 1e6;
    std::printf("baseline %s: %zu rows, %d parameters, %s in %d Newton iterations (relative gradient %.2g)\n", argv[1],
                d.rows, d.p, converged ? "converged" : "NOT CONVERGED", iterations, rel);
    std::printf("load_seconds %.4f\n", load_s);
    std::printf("load_mb_per_s %.1f\n", mb / load_s);
    std::printf("fit_seconds %.4f\n", fit_s);
    std::printf("peak_rss_mb %.1f\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
    std::printf("log_likelihood %.17g\n", -e.nll);
    std::printf("%-12s %24s %24s\n", "parameter", "estimate", "std_error");
    for (int j = 0; j < d.p; ++j)
        std::printf("%-12s %24.17g %24.17g\n", d.names[static_cast<std::size_t>(j)].c_str(), beta[j],
                    std::sqrt(cov(j, j)));
    return converged ? 0 : 4;
}
