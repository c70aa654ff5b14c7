// Writes the two large data sets of the end-to-end speed benchmark
// (run_big.sh) with a fixed seed, so every machine gets the same bytes:
//
//   logistic_big.csv  1,000,000 rows: x1..x10 ~ N(0, 1), y ~ Bernoulli(sigmoid(eta))
//   poisson_big.csv   1,000,000 rows: x1..x10 ~ N(0, 1), y ~ Poisson(exp(eta))
//
//   build/bench/generate_big OUT_DIR [rows=1000000] [seed=20261127]
//
// Each covariate is rounded to 5 decimals before eta is formed, so the file
// holds exactly the values the outcome was drawn from and a row is about 86
// bytes (85.9 in both files at the default seed; a full 17-digit double would
// double the file without adding anything a benchmark of parsing needs). Numbers are written with
// std::to_chars' shortest round-trip form.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include "runtime/random.hpp"

namespace {

constexpr int covariates = 10;

// True coefficients: intercept, then alternating signs growing with j, all
// far enough from zero that relative differences between tools mean something.
double logistic_beta(int j) { return j == 0 ? 0.3 : 0.1 * j * (j % 2 ? 1 : -1); }
double poisson_beta(int j) { return j == 0 ? 0.5 : 0.03 * j * (j % 2 ? 1 : -1); }

class CsvWriter {
public:
    explicit CsvWriter(std::FILE* out) : out_(out) { buffer_.reserve(capacity + 64); }
    ~CsvWriter() { flush(); }
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;

    void number(double v) {
        char tmp[32];
        const auto res = std::to_chars(tmp, tmp + sizeof tmp, v);
        buffer_.append(tmp, res.ptr);
    }
    void put(char c) {
        buffer_.push_back(c);
        if (buffer_.size() >= capacity) flush();
    }
    bool ok() const { return ok_; }
    void flush() {
        if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) ok_ = false;
        buffer_.clear();
    }

private:
    static constexpr std::size_t capacity = 1 << 20;
    std::FILE* out_;
    std::string buffer_;
    bool ok_ = true;
};

enum class Family { logistic, poisson };

bool write_data_set(const std::string& path, Family family, long rows, std::uint64_t seed) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        std::perror(path.c_str());
        return false;
    }
    mlec::rt::Rng rng(seed);
    bool ok = true;
    {
        CsvWriter w(f);
        // Built by put(): GCC 12 warns falsely (-Wrestrict) on "x" + to_string.
        for (int j = 1; j <= covariates; ++j) {
            w.put('x');
            w.number(j);
            w.put(',');
        }
        w.put('y');
        w.put('\n');
        double x[covariates];
        for (long r = 0; r < rows; ++r) {
            double eta = family == Family::logistic ? logistic_beta(0) : poisson_beta(0);
            for (int j = 0; j < covariates; ++j) {
                x[j] = std::round(rng.normal() * 1e5) / 1e5;
                eta += (family == Family::logistic ? logistic_beta(j + 1) : poisson_beta(j + 1)) * x[j];
                w.number(x[j]);
                w.put(',');
            }
            const double y = family == Family::logistic ? (rng.uniform() < 1 / (1 + std::exp(-eta)) ? 1.0 : 0.0)
                                                        : mlec::rt::poisson_draw(rng, std::exp(eta));
            w.number(y);
            w.put('\n');
        }
        w.flush();
        ok = w.ok();
    }
    if (std::fclose(f) != 0) ok = false;
    if (!ok) std::fprintf(stderr, "generate_big: error writing %s\n", path.c_str());
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: generate_big OUT_DIR [rows=1000000] [seed=20261127]\n");
        return 1;
    }
    const std::string dir = argv[1];
    const long rows = argc > 2 ? std::atol(argv[2]) : 1000000;
    const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 20261127;
    if (rows <= 0) {
        std::fprintf(stderr, "generate_big: rows must be positive\n");
        return 1;
    }
    // Separate streams, so either file can be regenerated alone.
    const bool ok = write_data_set(dir + "/logistic_big.csv", Family::logistic, rows, seed) &&
                    write_data_set(dir + "/poisson_big.csv", Family::poisson, rows, seed + 1);
    return ok ? 0 : 1;
}
