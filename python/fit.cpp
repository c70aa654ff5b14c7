// Fitting from Python (python/fit.hpp).
#include "python/fit.hpp"

#include <Python.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "python/errors.hpp"

namespace mlec::python {

namespace {

mlec::Method parse_method(const std::string& method) {
    if (method == "auto") return mlec::Method::automatic;
    if (method == "newton") return mlec::Method::newton;
    if (method == "lbfgs") return mlec::Method::lbfgs;
    throw py::value_error("method must be 'auto', 'newton' or 'lbfgs', not '" + method + "'");
}

// fixed= and start=: None, or a dict of parameter name -> number.
std::vector<mlec::ParameterValue> parameter_values(const py::object& values, const char* what) {
    std::vector<mlec::ParameterValue> out;
    if (values.is_none()) return out;
    if (!py::isinstance<py::dict>(values))
        throw py::type_error(std::string(what) + " must be a dict of parameter name -> value, or None");
    for (const auto& [name, value] : py::reinterpret_borrow<py::dict>(values)) {
        if (!py::isinstance<py::str>(name)) throw py::type_error(std::string(what) + ": names must be strings");
        out.push_back(mlec::ParameterValue{py::cast<std::string>(name), py::cast<double>(value)});
    }
    return out;
}

// Why a refit ended elsewhere than the fit it repeats, or "": another
// status, or a higher log-likelihood than rounding explains (a profile met
// a better point, so the fit was not the maximum; the refit reports it, as
// the CLI's --ci profile does).
std::string moved(const mlec::FitResult& fit, const mlec::FitResult& again) {
    const double before = fit.log_likelihood, after = again.log_likelihood;
    const bool higher =
        std::isfinite(before) && std::isfinite(after) && after - before > 1e-9 * std::max(1.0, std::abs(before));
    if (!higher && fit.status == again.status) return "";
    char numbers[128];
    std::snprintf(numbers, sizeof numbers, "log-likelihood %.8g, status %s, where this fit has %.8g, %s", after,
                  std::string(mlec::to_string(again.status)).c_str(), before,
                  std::string(mlec::to_string(fit.status)).c_str());
    return std::string("mlec: fitted again, the fit ended elsewhere: ") + numbers +
           (higher ? " (a higher likelihood: this fit is not the maximum)" : "") + ". The refit: " + again.message;
}

}  // namespace

mlec::CiMethod parse_ci(const std::string& ci) {
    if (ci == "wald") return mlec::CiMethod::wald;
    if (ci == "profile") return mlec::CiMethod::profile;
    throw py::value_error("ci must be 'wald' or 'profile', not '" + ci + "'");
}

mlec::FitOptions fit_options(const std::string& method, int max_iterations, double tolerance, double confidence,
                             const std::string& ci, int starts, long long seed, const py::object& on_iteration,
                             const py::object& fixed, const py::object& start, int bootstrap) {
    mlec::FitOptions options;
    options.bootstrap = bootstrap;
    options.fixed = parameter_values(fixed, "fixed");
    options.start = parameter_values(start, "start");
    options.method = parse_method(method);
    options.ci = parse_ci(ci);
    options.max_iterations = max_iterations;
    options.tolerance = tolerance;
    options.confidence = confidence;
    options.starts = starts;
    if (seed < 0) throw py::value_error("seed must not be negative");
    options.seed = static_cast<std::uint64_t>(seed);
    if (std::string why; !options.is_valid(&why)) throw py::value_error(why);
    if (!on_iteration.is_none() && !PyCallable_Check(on_iteration.ptr()))
        throw py::type_error("on_iteration must be callable or None");
    return options;
}

Fit run_fit(const std::shared_ptr<Bound>& shared, mlec::FitOptions options, const py::object& on_iteration) {
    Bound& bound = *shared;
    Fit f;
    f.options = options;
    f.options.on_iteration = nullptr;
    // A fixed= or start= that does not fit the model is the caller's mistake.
    if (mlec::Diagnostics mistakes; !mlec::check_parameter_values(*bound.problem, options, mistakes))
        throw py::value_error(message_of(mistakes));
    // The fit runs without the GIL; each iteration takes it back to call the
    // user's callback and to notice Ctrl-C. A Python exception cancels the
    // fit and is raised again once the fit has returned.
    std::exception_ptr pending;
    options.on_iteration = [&](const mlec::IterationInfo& it) -> bool {
        if (pending) return false;  // later starts or refits: stay cancelled
        py::gil_scoped_acquire gil;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (on_iteration.is_none()) return true;
            py::dict info;
            info["iteration"] = it.iteration;
            info["nll"] = it.nll;
            info["gradient_norm"] = it.gradient_norm;
            info["step"] = it.step;
            const py::object answer = on_iteration(info);
            return answer.is_none() || py::bool_(answer);
        } catch (...) {
            pending = std::current_exception();
            return false;
        }
    };
    f.bound = shared;
    {
        py::gil_scoped_release release;
        const std::lock_guard lock(bound.busy);
        f.result = mlec::fit(*bound.problem, options);
    }
    if (pending) std::rethrow_exception(pending);
    return f;
}

Fit refit(const Fit& f, const std::optional<mlec::CiMethod>& ci, const std::optional<double>& confidence,
          const std::optional<int>& bootstrap) {
    mlec::FitOptions options = f.options;
    if (ci) options.ci = *ci;
    if (confidence) options.confidence = *confidence;
    if (bootstrap) options.bootstrap = *bootstrap;
    if (std::string why; !options.is_valid(&why)) throw py::value_error(why);
    Fit again = run_fit(f.bound, options, py::none());
    if (const std::string why = moved(f.result, again.result); !why.empty())
        if (PyErr_WarnEx(PyExc_RuntimeWarning, why.c_str(), 1) != 0) throw py::error_already_set();
    return again;
}

}  // namespace mlec::python
