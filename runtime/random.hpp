// Random numbers that are the same on every platform for a given seed (the
// standard library's distributions are implementation-defined): the
// generator and the draws from every distribution of the language, for the
// parametric bootstrap, `mlec simulate` and random starts.
//
// Everything here is integer arithmetic plus IEEE operations and the libm
// functions log, exp, sqrt, pow, tan and lgamma: a given seed reproduces the
// same draws on any platform whose libm agrees on those (glibc's are
// correctly rounded or nearly so; a 1-ulp difference elsewhere can at worst
// flip a rejection test that lies exactly on its boundary).
#pragma once

#include <cstdint>
#include <span>

namespace mlec::rt {

// xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64.
class Rng {
public:
    explicit Rng(std::uint64_t seed);
    std::uint64_t next();
    double uniform();            // [0, 1), 53 random bits
    double uniform_open();       // (0, 1)
    double normal();             // standard normal
    double gamma(double shape);  // rate 1, shape > 0 (Marsaglia & Tsang, 2000)
    // An independent stream for task `index` (jump-free: reseeded from this
    // generator's seed and the index), so parallel replicates are
    // reproducible whatever order they run in.
    Rng split(std::uint64_t index) const;

private:
    std::uint64_t seed_;
    std::uint64_t s_[4];
    // The polar method makes normals in pairs; the second waits here.
    double spare_normal_ = 0.0;
    bool has_spare_normal_ = false;
};

// The shared algorithms behind the distributions' samplers. Each returns NaN
// for an argument outside its domain.

// log of a Gamma(shape, 1) draw; finite even where the draw itself
// underflows (shape far below 1, where most of the mass lies below 1e-308).
double log_gamma_draw(Rng& rng, double shape);
// Beta(a, b) as G_a / (G_a + G_b), formed from the logs so that small a and
// b do not give 0/0; the result is kept inside (0, 1) (a draw closer to 0 or
// 1 than a double can express is rounded to the nearest double inside).
double beta_draw(Rng& rng, double a, double b);
// Poisson(lambda), lambda >= 0 (0 gives 0).
double poisson_draw(Rng& rng, double lambda);
// Binomial(n, p), n a non-negative integer (up to 2^53), p in [0, 1].
double binomial_draw(Rng& rng, double n, double p);

}  // namespace mlec::rt
