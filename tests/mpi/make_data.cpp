// Writes the data of the distributed tests (tests/mpi/run.sh): rows enough
// for several blocks of 2,048 on every rank, group levels that first appear
// late in the file (so "first appearance" must mean the whole file's order),
// quoted fields, and missing cells. Deterministic: its own generator and
// transforms, no standard-library distributions (implementation-defined).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

std::uint64_t state = 0x9E3779B97F4A7C15ULL;

// SplitMix64 (Steele, Lea and Flood 2014).
std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double normal() {
    const double u = uniform() + 0x1.0p-54, v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
}

int poisson(double mean) {  // Knuth's product method: means here are small
    const double limit = std::exp(-mean);
    int k = 0;
    for (double p = uniform(); p > limit; p *= uniform()) ++k;
    return k;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_data ROWS OUT.csv\n");
        return 1;
    }
    const long rows = std::strtol(argv[1], nullptr, 10);
    std::FILE* out = std::fopen(argv[2], "w");
    if (!out) return 1;
    std::fprintf(out, "id,g,h,x1,x2,x3,yb,yc,yn,yk\n");
    const double g_effect[] = {-0.6, 0.2, 0.5, -0.1, 0.9, -0.4};
    for (long r = 0; r < rows; ++r) {
        // Levels g0, g2, g5 first appear after the first quarter of the rows;
        // level 40 of h only in the last quarter.
        int g = static_cast<int>(next() % 6);
        if (r < rows / 4 && (g == 0 || g == 2 || g == 5)) g = 1 + 2 * static_cast<int>(next() % 2);  // 1 or 3
        int h = 10 * (1 + static_cast<int>(next() % 4));
        if (r < rows * 3 / 4 && h == 40) h = 20;
        const double x1 = normal(), x2 = normal(), x3 = normal();
        const double eta = g_effect[g] + 0.8 * x1 - 0.5 * x2;
        const int yb = uniform() < 1 / (1 + std::exp(-eta)) ? 1 : 0;
        const int yc = poisson(std::exp(0.2 + 0.3 * x1 + 0.01 * h));
        const double yn = 1 + 2 * x1 - 0.7 * x3 + 1.5 * normal();
        const double e2 = std::exp(0.3 + 0.9 * x1), e3 = std::exp(-0.2 - 0.6 * x1);
        const double u = uniform() * (1 + e2 + e3);
        const int yk = u < 1 ? 1 : (u < 1 + e2 ? 2 : 3);
        // Every 13th g quoted, every 47th x3 missing (NA or empty).
        char gs[16];
        std::snprintf(gs, sizeof gs, r % 13 == 5 ? "\"g%d\"" : "g%d", g);
        char x3s[40];
        if (r % 47 == 11) std::snprintf(x3s, sizeof x3s, "%s", r % 2 ? "NA" : "");
        else std::snprintf(x3s, sizeof x3s, "%.6f", x3);
        std::fprintf(out, "%ld,%s,%d,%.6f,%.6f,%s,%d,%d,%.6f,%d\n", r + 1, gs, h, x1, x2, x3s, yb, yc, yn, yk);
    }
    return std::fclose(out) == 0 ? 0 : 1;
}
