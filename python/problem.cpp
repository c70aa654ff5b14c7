// The Python class mlec.Problem: the compiled negative log-likelihood with
// exact derivatives, for users with their own optimizer.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <string>

#include "python/bound.hpp"
#include "python/fit.hpp"
#include "python/registrations.hpp"

namespace mlec::python {

namespace {

// The Python-facing Problem: the bound model for users with their own
// optimizer.
struct PyProblem {
    std::shared_ptr<Bound> bound;

    const mlec::Problem& problem() const { return *bound->problem; }
    Eigen::VectorXd checked(const Eigen::VectorXd& theta) const {
        if (theta.size() != problem().dimension())
            throw py::value_error("theta has " + std::to_string(theta.size()) + " values; the problem has " +
                                  std::to_string(problem().dimension()) + " parameters");
        return theta;
    }
};

}  // namespace

void register_problem(py::module_& m) {
    py::class_<PyProblem>(m, "Problem", "A model bound to data: the negative log-likelihood and its derivatives.")
        .def(py::init([](const py::object& model, const py::object& data, const std::string& na, int threads, bool reml,
                         int agq) { return PyProblem{bind(model, data, bind_options(na, threads, reml, agq))}; }),
             py::arg("model"), py::arg("data"), py::kw_only(), py::arg("na") = "error", py::arg("threads") = 0,
             py::arg("reml") = false, py::arg("agq") = 1)
        .def_property_readonly("names", [](const PyProblem& p) { return p.problem().parameter_names(); })
        .def_property_readonly("dimension", [](const PyProblem& p) { return p.problem().dimension(); })
        .def_property_readonly("observations", [](const PyProblem& p) { return p.problem().observations(); })
        .def(
            "start", [](const PyProblem& p) { return p.problem().start(); },
            "The start values on the optimizer's (unconstrained) scale.")
        .def("to_user_scale", [](const PyProblem& p,
                                 const Eigen::VectorXd& theta) { return p.problem().to_user_scale(p.checked(theta)); })
        .def("nll",
             [](const PyProblem& p, const Eigen::VectorXd& theta) {
                 const Eigen::VectorXd t = p.checked(theta);
                 py::gil_scoped_release release;
                 const std::lock_guard lock(p.bound->busy);
                 return p.problem().nll(t);
             })
        .def("nll_gradient",
             [](const PyProblem& p, const Eigen::VectorXd& theta) {
                 const Eigen::VectorXd t = p.checked(theta);
                 Eigen::VectorXd gradient;
                 double value = 0;
                 {
                     py::gil_scoped_release release;
                     const std::lock_guard lock(p.bound->busy);
                     value = p.problem().nll_gradient(t, gradient);
                 }
                 return py::make_tuple(value, gradient);
             })
        .def("nll_gradient_hessian",
             [](const PyProblem& p, const Eigen::VectorXd& theta) {
                 const Eigen::VectorXd t = p.checked(theta);
                 Eigen::VectorXd gradient;
                 Eigen::MatrixXd hessian;
                 double value = 0;
                 {
                     py::gil_scoped_release release;
                     const std::lock_guard lock(p.bound->busy);
                     value = p.problem().nll_gradient_hessian(t, gradient, hessian);
                 }
                 return py::make_tuple(value, gradient, hessian);
             })
        .def(
            "check_gradient",
            [](const PyProblem& p, const Eigen::VectorXd& theta) {
                const Eigen::VectorXd t = p.checked(theta);
                mlec::GradientCheck check;
                {
                    py::gil_scoped_release release;
                    const std::lock_guard lock(p.bound->busy);
                    check = mlec::check_gradient(p.problem(), t, "given point");
                }
                py::dict d;
                d["max_abs_error"] = check.max_abs_error;
                d["max_rel_error"] = check.max_rel_error;
                d["parameter"] = check.parameter;
                return d;
            },
            py::arg("theta"),
            "The exact gradient at theta (the optimizer's scale) against Richardson-extrapolated central "
            "differences, as --check-gradient: {max_abs_error, max_rel_error, parameter}.")
        .def(
            "fit",
            [](const PyProblem& p, const std::string& method, int max_iterations, double tolerance, double confidence,
               const std::string& ci, int starts, long long seed, const py::object& on_iteration,
               const py::object& fixed, const py::object& start, int bootstrap) {
                return run_fit(p.bound,
                               fit_options(method, max_iterations, tolerance, confidence, ci, starts, seed,
                                           on_iteration, fixed, start, bootstrap),
                               on_iteration);
            },
            py::kw_only(), py::arg("method") = "auto", py::arg("max_iterations") = 3000, py::arg("tolerance") = 1e-8,
            py::arg("confidence") = 0.95, py::arg("ci") = "wald", py::arg("starts") = 1, py::arg("seed") = 1,
            py::arg("on_iteration") = py::none(), py::arg("fixed") = py::none(), py::arg("start") = py::none(),
            py::arg("bootstrap") = 0, "Fit this problem; the same options as mlec.fit.");
}

}  // namespace mlec::python
