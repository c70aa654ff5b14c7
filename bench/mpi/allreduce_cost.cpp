// The communication one evaluation of a distributed fit costs (run under
// mpirun; bench/run_mpi.sh): the exact sums of a logistic regression with 11
// coefficients are exchanged as one integer MPI_Allreduce per evaluation,
// through the same code path as a fit (mpi::MpiCollective::sum, its
// non-blocking call and bounded wait), plus the local work around it
// (normalizing the sums before and after, rounding them).
//
//   mpirun -n K allreduce_cost [repetitions=2001]
//
// Prints, on rank 0, the median time per exchange for a gradient
// evaluation (1 + 11 sums) and a Hessian evaluation (1 + 11 + 66 sums),
// with the message size.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "mpi/mpi_collective.hpp"
#include "runtime/exact_sum.hpp"

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    const int reps = argc > 1 ? std::atoi(argv[1]) : 2001;
    {
        mlec::mpi::MpiCollective c(MPI_COMM_WORLD, 60);
        const int dim = 11;
        for (const int sums : {1 + dim, 1 + dim + dim * (dim + 1) / 2}) {
            mlec::rt::ExactSums s(static_cast<std::size_t>(sums));
            std::vector<double> exchange_us, local_us;
            std::vector<std::int64_t> words;
            for (int r = 0; r < reps; ++r) {
                // What a rank's blocks leave in its sums (values of a
                // realistic spread), then the evaluator's completion.
                s.clear();
                for (int i = 0; i < sums; ++i) s.add(static_cast<std::size_t>(i), 1234.5678 * (i + 1) * (r + 1));
                using Clock = std::chrono::steady_clock;
                const auto t0 = Clock::now();
                s.normalize();
                words.assign(s.raw().begin(), s.raw().end());
                const auto t1 = Clock::now();
                c.sum(words);
                const auto t2 = Clock::now();
                std::copy(words.begin(), words.end(), s.raw().begin());
                s.normalize();
                double total = 0;
                for (int i = 0; i < sums; ++i) total += s.value(static_cast<std::size_t>(i));
                const auto t3 = Clock::now();
                if (total == 0) std::printf("?");  // keep the work
                exchange_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
                local_us.push_back(std::chrono::duration<double, std::micro>((t1 - t0) + (t3 - t2)).count());
            }
            if (c.rank() == 0)
                std::printf(
                    "%d ranks, %s evaluation: %d exact sums, %zu bytes per rank: allreduce %.1f us, "
                    "normalize + round %.1f us (medians of %d)\n",
                    c.size(), sums == 1 + dim ? "gradient" : "Hessian", sums, words.size() * 8, median(exchange_us),
                    median(local_us), reps);
        }
    }
    MPI_Finalize();
    return 0;
}
