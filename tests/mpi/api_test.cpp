// The distributed library API (mlec/distributed.hpp), run under
// `mpirun -n K`: each rank loads its part of a file through a Cluster, binds
// and fits; rank 0 also fits the whole file alone, without MPI, and every
// number must match it bit for bit: NLL, gradient and Hessian at several
// points, the estimates, standard errors and log-likelihood.
//
//   api_test MODEL.mle DATA.csv
//
// Prints one line per check; exits 1 if any fails (on any rank).
#include <mpi.h>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "mlec/distributed.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    if (!ok) {
        std::printf("FAIL %s\n", what.c_str());
        ++failures;
    }
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    for (Eigen::Index i = 0; i < a.size(); ++i)
        if (!same_bits(a.data()[i], b.data()[i])) return false;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    if (argc != 3) {
        std::fprintf(stderr, "usage: api_test MODEL.mle DATA.csv\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    int code = 0;
    {
        mlec::Cluster cluster(MPI_COMM_WORLD, mlec::ClusterOptions{60});
        mlec::Diagnostics ds;
        auto model = cluster.load_model(argv[1], ds);
        auto data = cluster.load_csv(argv[2], ds);
        check(model && data, "load: " + mlec::format(ds));
        std::optional<mlec::Problem> problem;
        if (model && data) problem = mlec::Problem::bind(*model, *data, ds);
        if (!problem) {
            // Every rank fails alike (the same first error in file order).
            if (cluster.rank() == 0) std::printf("no problem to fit: %s", mlec::format(ds).c_str());
            MPI_Finalize();
            return 1;
        }
        const int dim = problem->dimension();

        // Points to evaluate at, the same on every rank: the start, and
        // shifts of it.
        std::vector<Eigen::VectorXd> points{problem->start()};
        for (int k = 1; k <= 3; ++k) {
            Eigen::VectorXd t = problem->start();
            for (int i = 0; i < dim; ++i) t[i] += 0.1 * k * ((i % 3) - 1);
            points.push_back(t);
        }
        struct Values {
            double nll = 0;
            Eigen::VectorXd gradient;
            Eigen::MatrixXd hessian;
        };
        std::vector<Values> distributed;
        for (const Eigen::VectorXd& t : points) {
            Values v;
            v.nll = problem->nll_gradient_hessian(t, v.gradient, v.hessian);
            distributed.push_back(v);
        }
        const mlec::FitResult fit = mlec::fit(*problem);
        check(fit.converged, "the distributed fit converges");
        check(problem->observations() > 4096, "the data span several blocks");

        if (cluster.rank() == 0) {
            // The same on one machine, without the cluster.
            mlec::Diagnostics alone_ds;
            auto alone_model = mlec::Model::from_file(argv[1], alone_ds);
            auto alone_data = mlec::Data::from_csv_file(argv[2], alone_ds);
            auto alone = mlec::Problem::bind(*alone_model, *alone_data, alone_ds);
            check(alone.has_value(), "bind alone");
            check(alone->observations() == problem->observations(), "the same number of rows");
            for (std::size_t p = 0; p < points.size(); ++p) {
                Values v;
                v.nll = alone->nll_gradient_hessian(points[p], v.gradient, v.hessian);
                const std::string at = " at point " + std::to_string(p);
                check(same_bits(v.nll, distributed[p].nll), "NLL" + at);
                check(same_bits(v.gradient, distributed[p].gradient), "gradient" + at);
                check(same_bits(v.hessian, distributed[p].hessian), "Hessian" + at);
                // The value alone against the value with the gradient: the
                // three evaluation modes share one sum.
                check(same_bits(alone->nll(points[p]), v.nll), "nll() alone" + at);
            }
            const mlec::FitResult f = mlec::fit(*alone);
            check(same_bits(f.log_likelihood, fit.log_likelihood), "log-likelihood");
            check(same_bits(f.theta, fit.theta), "estimates");
            check(same_bits(f.covariance, fit.covariance), "covariance");
            check(mlec::json_report(f) == mlec::json_report(fit), "the JSON report");
            std::printf("%d ranks: %zu rows, %d parameters, log-likelihood %.17g; %s\n", cluster.size(),
                        problem->observations(), dim, fit.log_likelihood, failures ? "FAILED" : "all bit-identical");
        }
        // Every rank learns whether rank 0 found a difference.
        int failed = failures > 0;
        MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        code = failed;
    }
    MPI_Finalize();
    return code;
}
