"""Tests of the Python module `mlec`.

Every expected value comes from outside mlec: a closed-form MLE, the R
reference fits in models/*.expected.json, or finite differences computed here.
Run from this folder with the built module on PYTHONPATH:

    python3 -m unittest -v test_mlec

MLEC_SOURCE_DIR names the repository root (default: this file's parent folder).
"""

import importlib.util
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import mlec

SOURCE_DIR = pathlib.Path(os.environ.get("MLEC_SOURCE_DIR", pathlib.Path(__file__).resolve().parent.parent))
MODELS = SOURCE_DIR / "models"

# The standard normal's 0.975 quantile, for 95% Wald intervals.
Z_975 = 1.959963984540054


def assert_close(test, actual, expected, rel=1e-6, abs_floor=1e-9):
    test.assertLessEqual(abs(actual - expected), rel * abs(expected) + abs_floor,
                         f"actual {actual!r}, expected {expected!r}")


class XorTest(unittest.TestCase):
    """y = a XOR b fitted by a linear logistic model: p = 1/2 on every row, so
    the MLE is 0, log L = 4 log(1/2), and the covariance is the inverse of
    X'WX with W = p(1 - p) = 1/4 and X = [a, b, 1]."""

    def setUp(self):
        self.fit = mlec.fit(str(MODELS / "xor.mle"), str(MODELS / "xor.csv"))

    def test_estimates_and_log_likelihood(self):
        f = self.fit
        self.assertTrue(f.converged)
        self.assertEqual(f.status, "converged")
        self.assertEqual(f.names, ["w1", "w2", "c"])
        self.assertEqual(list(f.estimates), ["w1", "w2", "c"])
        for value in f.estimates.values():
            self.assertAlmostEqual(value, 0.0, places=9)
        assert_close(self, f.log_likelihood, 4 * math.log(0.5))
        assert_close(self, f.aic, 2 * 3 - 2 * 4 * math.log(0.5))
        assert_close(self, f.bic, 3 * math.log(4) - 2 * 4 * math.log(0.5))
        self.assertEqual(f.exit_code, 0)
        self.assertEqual(f.diverging, {})
        self.assertEqual(f.conditional_on_limit, {"w1": False, "w2": False, "c": False})

    def test_standard_errors_and_covariance(self):
        f = self.fit
        assert_close(self, f.std_errors["w1"], 2.0)
        assert_close(self, f.std_errors["w2"], 2.0)
        assert_close(self, f.std_errors["c"], math.sqrt(3.0))
        x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
        expected = np.linalg.inv(x.T @ x / 4)
        self.assertEqual(f.covariance.shape, (3, 3))
        np.testing.assert_allclose(f.covariance, expected, rtol=1e-9, atol=1e-9)

    def test_wald_intervals(self):
        lower, upper = self.fit.ci["c"]
        assert_close(self, lower, -Z_975 * math.sqrt(3.0))
        assert_close(self, upper, Z_975 * math.sqrt(3.0))

    def test_reports(self):
        report = json.loads(self.fit.json())
        self.assertEqual(report["log_likelihood"], self.fit.log_likelihood)
        self.assertEqual([p["name"] for p in report["parameters"]], ["w1", "w2", "c"])
        text = self.fit.report()
        for name in ("w1", "w2", "c"):
            self.assertIn(name, text)

    def test_path_objects_and_model_text(self):
        from_path = mlec.fit(MODELS / "xor.mle", MODELS / "xor.csv")
        text = (MODELS / "xor.mle").read_text()
        from_text = mlec.fit(text, MODELS / "xor.csv")
        self.assertEqual(from_path.estimates, self.fit.estimates)
        self.assertEqual(from_text.log_likelihood, self.fit.log_likelihood)


class DivergedTest(unittest.TestCase):
    """models/xor_interaction.mle: the interaction separates the XOR table, so
    no finite MLE exists (models/xor_interaction.expected.json): no parameter
    has an estimate, and there is no AIC or BIC."""

    def setUp(self):
        self.expected = json.loads((MODELS / "xor_interaction.expected.json").read_text())
        self.fit = mlec.fit(MODELS / "xor_interaction.mle", MODELS / "xor.csv")

    def test_status_and_exit_code(self):
        self.assertFalse(self.fit.converged)
        self.assertEqual(self.fit.status, "diverged")
        self.assertEqual(self.fit.exit_code, 4)

    def test_no_estimates_and_no_criteria(self):
        f = self.fit
        self.assertEqual(f.estimates, {"w1": None, "w2": None, "w3": None, "c": None})
        self.assertIsNone(f.aic)
        self.assertIsNone(f.bic)
        self.assertEqual(f.std_errors, {"w1": None, "w2": None, "w3": None, "c": None})
        self.assertEqual(f.conditional_on_limit, {"w1": False, "w2": False, "w3": False, "c": False})

    def test_where_each_parameter_goes(self):
        directions = self.expected["diverging_direction"]
        self.assertEqual(list(self.fit.diverging), list(directions))
        for name, item in self.fit.diverging.items():
            self.assertEqual(item["diverges_to"], directions[name])
            # Where the optimizer stopped lies on the side it runs off to.
            self.assertGreater(item["last_value"] * (1 if directions[name] == "+inf" else -1), 1.0)

    def test_json_agrees(self):
        report = json.loads(self.fit.json())
        self.assertIsNone(report["aic"])
        self.assertIsNone(report["bic"])
        for p in report["parameters"]:
            self.assertIsNone(p["estimate"])
            self.assertEqual(p["last_value"], self.fit.diverging[p["name"]]["last_value"])
            self.assertFalse(p["conditional_on_limit"])


class RemlTest(unittest.TestCase):
    """models/mixed/sleepstudy.mle by REML against lmer's REML fit
    (models/mixed/sleepstudy.expected.json)."""

    def test_sleepstudy(self):
        f = mlec.fit(str(MODELS / "mixed" / "sleepstudy.mle"), str(MODELS / "mixed" / "sleepstudy.csv"), reml=True)
        self.assertEqual(f.status, "converged")
        self.assertTrue(f.reml)
        assert_close(self, f.log_likelihood, -871.8141359792456)
        self.assertEqual(f.integrated["b0"], True)
        self.assertEqual(f.integrated["sa"], False)
        self.assertLess(abs(f.estimates["sa"] - 24.74044758729242), 1e-3)
        self.assertLess(abs(f.std_errors["b1"] - 1.5457889354755583), 1e-4)
        p = mlec.Problem(str(MODELS / "mixed" / "sleepstudy.mle"), str(MODELS / "mixed" / "sleepstudy.csv"), reml=True)
        self.assertEqual(p.names, ["sa", "sb", "sigma", "atanh(cpc R[1,2])"])


class SingularFitTest(unittest.TestCase):
    """models/mixed/singular.mle: lmer's ML fit puts the group SD at 0
    (models/mixed/reference/singular.R prints the values)."""

    def test_sd_at_zero(self):
        f = mlec.fit(str(MODELS / "mixed" / "singular.mle"), str(MODELS / "mixed" / "singular.csv"))
        self.assertEqual(f.status, "converged")
        assert_close(self, f.log_likelihood, -171.46284995625899)
        self.assertEqual(f.at_zero, {"s": True, "sigma": False, "b0": False, "b1": False})
        self.assertEqual(f.at_boundary, {"s": True, "sigma": False, "b0": False, "b1": False})
        self.assertEqual(f.not_identified, {"s": False, "sigma": False, "b0": False, "b1": False})
        self.assertEqual(f.estimates["s"], 0.0)
        self.assertIsNone(f.std_errors["s"])
        self.assertEqual(f.ci["s"][0], 0.0)
        assert_close(self, f.ci["s"][1], 0.40566850131383198, rel=1e-5)
        self.assertEqual(f.n_params, 4)
        # at s = 0 every effect's conditional mode and SD are 0
        self.assertEqual(len(f.random_effects["u"]), 20)
        self.assertEqual(f.random_effects["u"][0], {"level": "1", "mode": 0.0, "std_error": 0.0})


class AdaptiveQuadratureTest(unittest.TestCase):
    """models/mixed/cbpp.mle with agq=7 against glmer's nAGQ = 7 fit
    (models/mixed/cbpp.expected.json; glmer's log-likelihood leaves out the
    saturated binomial terms, given back here)."""

    def test_cbpp_agq7(self):
        expected = json.loads((MODELS / "mixed" / "cbpp.expected.json").read_text())
        glmer = next(fit for fit in expected["fits"] if fit["id"] == "glmer_AGQ7")
        f = mlec.fit(MODELS / "mixed" / "cbpp.mle", MODELS / "mixed" / "cbpp.csv", agq=7)
        self.assertEqual(f.status, "converged")
        assert_close(self, f.log_likelihood,
                     glmer["log_likelihood"] + expected["checks"]["saturated_log_likelihood"])
        assert_close(self, f.estimates["s"], glmer["variance_components"][0]["sd"][0], rel=1e-4)
        self.assertTrue(any("7 nodes per level" in note for note in f.notes))
        with self.assertRaises(Exception):
            mlec.fit(MODELS / "xor.mle", MODELS / "xor.csv", agq=7)


class ClosedFormTest(unittest.TestCase):
    """Models fitted to a dict of NumPy arrays, against their closed-form MLE."""

    def test_normal_mean_and_sd(self):
        y = np.random.default_rng(7).normal(3.0, 2.0, size=500)
        f = mlec.fit("y ~ normal(mu, sigma)", {"y": y})
        mean = y.mean()
        sd = math.sqrt(np.mean((y - mean) ** 2))  # the MLE divides by n, not n - 1
        self.assertTrue(f.converged)
        assert_close(self, f.estimates["mu"], mean)
        assert_close(self, f.estimates["sigma"], sd)
        # Fisher information: n / sigma^2 for mu, so SE(mu) = sigma / sqrt(n).
        assert_close(self, f.std_errors["mu"], sd / math.sqrt(len(y)), rel=1e-5)
        lower, upper = f.ci["mu"]
        assert_close(self, lower, mean - Z_975 * sd / math.sqrt(len(y)), rel=1e-5)
        assert_close(self, upper, mean + Z_975 * sd / math.sqrt(len(y)), rel=1e-5)
        # log L at the MLE: -n/2 (log(2 pi sigma^2) + 1).
        assert_close(self, f.log_likelihood, -len(y) / 2 * (math.log(2 * math.pi * sd * sd) + 1))
        self.assertEqual(f.n_obs, 500)

    def test_poisson_log_mean_and_report(self):
        y = np.random.default_rng(11).poisson(4.0, size=300)  # int64
        self.assertEqual(y.dtype, np.int64)
        f = mlec.fit("y ~ poisson(exp(a))\nreport lambda = exp(a)\n", {"y": y})
        mean = y.mean()
        assert_close(self, f.estimates["a"], math.log(mean))
        # Information for a is n exp(a) = n mean; the delta method gives
        # SE(lambda) = exp(a) SE(a) = sqrt(mean / n).
        assert_close(self, f.std_errors["a"], 1 / math.sqrt(len(y) * mean), rel=1e-5)
        lam = f.derived["lambda"]
        assert_close(self, lam["estimate"], mean)
        assert_close(self, lam["std_error"], math.sqrt(mean / len(y)), rel=1e-5)

    def test_int64_equals_float64(self):
        y = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64)
        as_int = mlec.fit("y ~ poisson(exp(a))", {"y": y})
        as_float = mlec.fit("y ~ poisson(exp(a))", {"y": y.astype(np.float64)})
        self.assertEqual(as_int.estimates, as_float.estimates)
        assert_close(self, as_int.estimates["a"], math.log(31 / 8))

    def test_arrays_may_be_deleted(self):
        y = np.array([1.0, 2.0, 4.0])
        problem = mlec.Problem("y ~ poisson(exp(a))", {"y": y})
        del y  # the problem keeps the array it reads in place
        # NLL at a = 0 is sum(lambda - y log lambda + log y!) = 3 + log(1! 2! 4!).
        assert_close(self, problem.nll([0.0]), 3 + math.log(1 * 2 * 24))

    def test_missing_values(self):
        x = np.array([1.0, np.nan, 3.0, 6.0])
        with self.assertRaises(mlec.DataError):
            mlec.fit("x ~ normal(mu, sigma)", {"x": x})
        f = mlec.fit("x ~ normal(mu, sigma)", {"x": x}, na="drop")
        self.assertEqual(f.rows_dropped, 1)
        self.assertEqual(f.n_obs, 3)
        assert_close(self, f.estimates["mu"], 10 / 3)


class LogisticReferenceTest(unittest.TestCase):
    """models/logistic.expected.json: R's glm on the same data."""

    def test_matches_r(self):
        expected = json.loads((MODELS / "logistic.expected.json").read_text())
        f = mlec.fit(str(MODELS / expected["model"]), str(MODELS / expected["data"]))
        self.assertEqual(f.converged, expected["converged"])
        self.assertEqual(f.n_obs, expected["n_obs"])
        self.assertEqual(f.n_weighted, expected["n_obs"])
        self.assertEqual(f.weight, "")
        assert_close(self, f.log_likelihood, expected["log_likelihood"])
        self.assertEqual(f.names, [p["name"] for p in expected["parameters"]])
        for p in expected["parameters"]:
            assert_close(self, f.estimates[p["name"]], p["estimate"], rel=1e-6)
            assert_close(self, f.std_errors[p["name"]], p["std_error"], rel=1e-4)


class WeightedReferenceTest(unittest.TestCase):
    """models/weighted_logistic.expected.json: R's glm(weights = n)."""

    def test_matches_r(self):
        expected = json.loads((MODELS / "weighted_logistic.expected.json").read_text())
        f = mlec.fit(str(MODELS / expected["model"]), str(MODELS / expected["data"]))
        self.assertEqual(f.n_obs, expected["n_obs"])
        self.assertEqual(f.weight, "n")
        self.assertEqual(f.n_weighted, expected["n_weighted"])
        assert_close(self, f.log_likelihood, expected["log_likelihood"])


class UserFunctionTest(unittest.TestCase):
    """A model with a def, given as text and fitted to arrays:
    models/michaelis_menten.expected.json, R's nls on the Puromycin data."""

    def test_matches_r(self):
        expected = json.loads((MODELS / "michaelis_menten.expected.json").read_text())
        csv = np.genfromtxt(MODELS / "michaelis_menten.csv", delimiter=",", names=True)
        text = ("def mm(c, vmax, km) = vmax * c / (km + c)\n"
                "param sigma > 0\nparam Vm = 200, K = 0.1\n"
                "rate ~ normal(mm(conc, Vm, K), sigma)\n")
        f = mlec.fit(text, {"conc": csv["conc"], "rate": csv["rate"]})
        self.assertTrue(f.converged)
        assert_close(self, f.log_likelihood, expected["log_likelihood"])
        self.assertEqual(f.names, [p["name"] for p in expected["parameters"]])
        for p in expected["parameters"]:
            assert_close(self, f.estimates[p["name"]], p["estimate"], rel=1e-6)
            assert_close(self, f.std_errors[p["name"]], p["std_error"], rel=1e-4)


class ProblemTest(unittest.TestCase):
    """The NLL and its derivatives, for users with their own optimizer."""

    def setUp(self):
        self.problem = mlec.Problem(MODELS / "logistic.mle", MODELS / "logistic.csv")
        self.theta = np.array([0.3, -0.7, 0.2, 1.1])

    def test_names_and_start(self):
        self.assertEqual(self.problem.names, ["b0", "b1", "b2", "b3"])
        self.assertEqual(self.problem.start().shape, (4,))

    def test_nll_equals_bernoulli_sum(self):
        # Independent: sum of log(1 + exp(eta)) - y eta over the rows.
        csv = np.genfromtxt(MODELS / "logistic.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
        eta = (self.theta[0] + self.theta[1] * csv["x1"] + self.theta[2] * csv["x2"]
               + self.theta[3] * csv["x3"])
        expected = float(np.sum(np.logaddexp(0, eta) - csv["y"] * eta))
        assert_close(self, self.problem.nll(self.theta), expected, rel=1e-12)

    def test_gradient_matches_finite_differences(self):
        value, gradient = self.problem.nll_gradient(self.theta)
        self.assertEqual(value, self.problem.nll(self.theta))
        h = 1e-5
        for i in range(4):
            step = np.zeros(4)
            step[i] = h
            fd = (self.problem.nll(self.theta + step) - self.problem.nll(self.theta - step)) / (2 * h)
            assert_close(self, gradient[i], fd, rel=1e-6, abs_floor=1e-6)

    def test_hessian_matches_finite_differences(self):
        value, gradient, hessian = self.problem.nll_gradient_hessian(self.theta)
        self.assertEqual(hessian.shape, (4, 4))
        np.testing.assert_allclose(gradient, self.problem.nll_gradient(self.theta)[1], rtol=1e-12)
        h = 1e-5
        for j in range(4):
            step = np.zeros(4)
            step[j] = h
            fd = (self.problem.nll_gradient(self.theta + step)[1]
                  - self.problem.nll_gradient(self.theta - step)[1]) / (2 * h)
            np.testing.assert_allclose(hessian[:, j], fd, rtol=1e-6, atol=1e-6)

    def test_fit_equals_mlec_fit(self):
        expected = mlec.fit(MODELS / "logistic.mle", MODELS / "logistic.csv")
        f = self.problem.fit()
        self.assertEqual(f.estimates, expected.estimates)
        self.assertEqual(f.log_likelihood, expected.log_likelihood)
        # The NLL at the estimate is minus the reported log-likelihood.
        assert_close(self, self.problem.nll(list(f.estimates.values())), -f.log_likelihood, rel=1e-12)

    def test_wrong_length(self):
        with self.assertRaisesRegex(ValueError, "theta has 3 values; the problem has 4 parameters"):
            self.problem.nll([0.0, 0.0, 0.0])


class ErrorTest(unittest.TestCase):
    def test_model_error_has_cli_text(self):
        with self.assertRaises(mlec.ModelError) as caught:
            mlec.fit("y ~ bernoulli(sigmoid(w*x + ))\n", {"x": np.zeros(3), "y": np.zeros(3)})
        self.assertEqual(str(caught.exception),
                         "<model>:1:29: error: expected expression after '+', found ')'\n"
                         "    y ~ bernoulli(sigmoid(w*x + ))\n"
                         "                                ^")
        self.assertIsInstance(caught.exception, ValueError)

    def test_model_file_error_names_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.mle")
            with open(path, "w") as out:
                out.write("# a comment\ny ~ normal(mu, sigma\n")
            with self.assertRaises(mlec.ModelError) as caught:
                mlec.fit(path, MODELS / "xor.csv")
            self.assertTrue(str(caught.exception).startswith(path + ":2:"), str(caught.exception))

    def test_data_error_for_non_numeric_cell(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.csv")
            with open(path, "w") as out:
                out.write("a,b,y\n0,0,0\n0,x,1\n")
            with self.assertRaises(mlec.DataError) as caught:
                mlec.fit(MODELS / "xor.mle", path)
            self.assertEqual(str(caught.exception),
                             path + ":3:3: error: row 2, column 'b': expected a number, found 'x'\n"
                             "    0,x,1\n"
                             "      ^")
            self.assertIsInstance(caught.exception, ValueError)

    def test_data_error_for_strings_in_a_dict(self):
        # Texts that are not all numbers are labels (group levels); read as
        # numbers, the first that is not one is the CSV's error.
        with self.assertRaises(mlec.DataError) as caught:
            mlec.fit("y ~ poisson(exp(a))", {"y": np.array(["1", "two"])})
        self.assertEqual(str(caught.exception), "<data>: error: row 2, column 'y': expected a number, found 'two'")
        # Texts of numbers are numbers, as in a CSV.
        self.assertEqual(mlec.fit("y ~ poisson(exp(a))", {"y": ["1", "2", "4"]}).n_obs, 3)
        with self.assertRaisesRegex(mlec.DataError, "column 'y': cannot convert to float64 numbers"):
            mlec.fit("y ~ poisson(exp(a))", {"y": [1.0, {}]})

    def test_columns_of_different_lengths(self):
        with self.assertRaises(mlec.DataError) as caught:
            mlec.fit("y ~ normal(b*x, s)", {"x": np.zeros(4), "y": np.zeros(3)})
        self.assertEqual(str(caught.exception), "<data>: error: column 'y' has 3 rows, but 'x' has 4")

    def test_missing_outcome_column(self):
        with self.assertRaises(mlec.ModelError) as caught:
            mlec.fit("y ~ normal(mu, sigma)", {"z": np.zeros(3)})
        self.assertEqual(str(caught.exception),
                         "<model>:1:1: error: 'y' is not a column of <data>; did you mean 'z'?\n"
                         "    y ~ normal(mu, sigma)\n"
                         "    ^")

    def test_missing_model_file(self):
        with self.assertRaisesRegex(mlec.ModelError, "no_such.mle: error: cannot open model file"):
            mlec.fit("no_such.mle", MODELS / "xor.csv")

    def test_bad_options_raise_value_error(self):
        bad = [dict(method="bfgs"), dict(ci="bootstrap"), dict(na="keep"), dict(confidence=1.5),
               dict(starts=0), dict(max_iterations=0), dict(tolerance=-1.0), dict(seed=-1),
               dict(threads=-2)]
        for options in bad:
            with self.subTest(options=options):
                with self.assertRaises(ValueError) as caught:
                    mlec.fit(MODELS / "xor.mle", MODELS / "xor.csv", **options)
                self.assertNotIsInstance(caught.exception, (mlec.ModelError, mlec.DataError))
        # Checked before the (here missing) files are read.
        with self.assertRaisesRegex(ValueError, "^method must be 'auto', 'newton' or 'lbfgs', not 'bfgs'$"):
            mlec.fit("no_such.mle", "no_such.csv", method="bfgs")
        with self.assertRaisesRegex(ValueError, "^confidence must be between 0 and 1$"):
            mlec.fit("no_such.mle", "no_such.csv", confidence=1.0)


class FixedAndStartTest(unittest.TestCase):
    """fixed= and start=, as bbmle's: with sigma held, the MLE of mu is the
    sample mean and its SE sigma / sqrt(n); a Poisson coefficient held is an
    offset, checked against R's glm (tests/reference/fixed/)."""

    def setUp(self):
        self.y = np.random.default_rng(5).normal(3.0, 2.0, size=200)

    def test_sigma_fixed(self):
        f = mlec.fit("param sigma > 0\ny ~ normal(mu, sigma)", {"y": self.y}, fixed={"sigma": 1.5},
                     start={"mu": 2.0})
        self.assertTrue(f.converged)
        assert_close(self, f.estimates["mu"], self.y.mean(), rel=1e-10)
        assert_close(self, f.std_errors["mu"], 1.5 / math.sqrt(len(self.y)), rel=1e-8)
        self.assertEqual(f.estimates["sigma"], 1.5)
        self.assertIsNone(f.std_errors["sigma"])
        self.assertEqual(f.ci["sigma"], (None, None))
        self.assertEqual(f.fixed, {"sigma": 1.5})
        self.assertEqual(f.n_params, 1)
        loglik = float(np.sum(-0.5 * math.log(2 * math.pi * 1.5 ** 2) - (self.y - self.y.mean()) ** 2 / (2 * 1.5 ** 2)))
        assert_close(self, f.log_likelihood, loglik, rel=1e-12)
        assert_close(self, f.aic, 2 * 1 - 2 * loglik, rel=1e-12)
        self.assertTrue(json.loads(f.json())["parameters"][0]["fixed"])

    def test_problem_fit_and_r_offset(self):
        expected = json.loads((SOURCE_DIR / "tests/reference/fixed/poisson_offset.expected.json").read_text())
        p = mlec.Problem(MODELS / "poisson.mle", MODELS / "poisson.csv")
        f = p.fit(fixed={"b2": expected["fixed"]["b2"]})
        self.assertTrue(f.converged)
        assert_close(self, f.log_likelihood, expected["log_likelihood"], rel=1e-12)
        assert_close(self, f.aic, expected["aic"], rel=1e-12)
        for q in expected["parameters"]:
            assert_close(self, f.estimates[q["name"]], q["estimate"], rel=1e-8)
            assert_close(self, f.std_errors[q["name"]], q["std_error"], rel=1e-6)

    def test_mistakes_raise_value_error(self):
        model = "param sigma > 0\ny ~ normal(mu, sigma)"
        with self.assertRaises(ValueError) as caught:
            mlec.fit(model, {"y": self.y}, fixed={"sigm": 1.0})
        self.assertNotIsInstance(caught.exception, (mlec.ModelError, mlec.DataError))
        self.assertEqual(str(caught.exception),
                         "<model>: error: cannot fix 'sigm': the model has no parameter of that name; "
                         "did you mean 'sigma'?")
        with self.assertRaisesRegex(ValueError, "^<model>: error: cannot fix sigma at -1: sigma must be > 0$"):
            mlec.fit(model, {"y": self.y}, fixed={"sigma": -1})
        with self.assertRaisesRegex(ValueError, "both fixed and given a start value"):
            mlec.fit(model, {"y": self.y}, fixed={"mu": 1}, start={"mu": 2})
        with self.assertRaises(TypeError):
            mlec.fit(model, {"y": self.y}, fixed=[("mu", 1)])


class CallbackTest(unittest.TestCase):
    def setUp(self):
        self.model = str(MODELS / "logistic.mle")
        self.data = str(MODELS / "logistic.csv")

    def test_every_iteration_is_reported(self):
        seen = []
        f = mlec.fit(self.model, self.data, on_iteration=lambda info: seen.append(info))
        self.assertTrue(f.converged)
        self.assertEqual([info["iteration"] for info in seen], list(range(1, f.iterations + 1)))
        nlls = [info["nll"] for info in seen]
        self.assertEqual(nlls, sorted(nlls, reverse=True))  # Newton never increases the NLL
        assert_close(self, nlls[-1], -f.log_likelihood, rel=1e-12)

    def test_false_cancels(self):
        calls = []

        def stop(info):
            calls.append(info["iteration"])
            return False

        f = mlec.fit(self.model, self.data, on_iteration=stop)
        self.assertEqual(len(calls), 1)
        self.assertFalse(f.converged)
        self.assertEqual(f.status, "cancelled")
        self.assertEqual(f.exit_code, 4)
        self.assertIsNone(f.aic)

    def test_exception_propagates(self):
        def boom(info):
            raise KeyError("from the callback")

        with self.assertRaisesRegex(KeyError, "from the callback"):
            mlec.fit(self.model, self.data, on_iteration=boom)


if __name__ == "__main__":
    unittest.main()


class PredictTest(unittest.TestCase):
    """Fit.predict against the delta method computed here from the fit's
    estimates and covariance, and against glmmTMB's conditional predictions
    (models/mixed/conditional_predictions.expected.json)."""

    def test_logistic_expected_values_and_standard_errors(self):
        f = mlec.fit(MODELS / "logistic.mle", MODELS / "logistic.csv")
        csv = np.genfromtxt(MODELS / "logistic.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
        rows = {name: csv[name][:20] for name in ("x1", "x2", "x3")}
        p = f.predict(rows)
        self.assertEqual(list(p), ["row", "y_expected", "y_expected_se", "y_linear_predictor",
                                   "y_linear_predictor_se"])
        np.testing.assert_array_equal(p["row"], np.arange(1, 21))
        b = np.array([f.estimates[n] for n in ("b0", "b1", "b2", "b3")])
        x = np.column_stack([np.ones(20), rows["x1"], rows["x2"], rows["x3"]])
        eta = x @ b
        se_eta = np.sqrt(np.einsum("ij,jk,ik->i", x, f.covariance, x))
        expected = 1 / (1 + np.exp(-eta))
        np.testing.assert_allclose(p["y_linear_predictor"], eta, rtol=1e-10)
        np.testing.assert_allclose(p["y_linear_predictor_se"], se_eta, rtol=1e-8)
        np.testing.assert_allclose(p["y_expected"], expected, rtol=1e-10)
        np.testing.assert_allclose(p["y_expected_se"], expected * (1 - expected) * se_eta, rtol=1e-8)
        # A CSV path gives the same as its columns.
        whole = f.predict(MODELS / "logistic.csv")
        np.testing.assert_array_equal(whole["y_expected"][:20], p["y_expected"])

    def test_sleepstudy_population_and_conditional(self):
        f = mlec.fit(MODELS / "mixed" / "sleepstudy.mle", MODELS / "mixed" / "sleepstudy.csv")
        reference = json.loads((MODELS / "mixed" / "conditional_predictions.expected.json").read_text())["sleepstudy"]
        csv = np.genfromtxt(MODELS / "mixed" / "sleepstudy.csv", delimiter=",", names=True)
        picked = np.array(reference["rows"]) - 1
        rows = {"Days": csv["Days"][picked], "Subject": csv["Subject"][picked]}
        conditional = f.predict(rows)
        for i, expected in enumerate(reference["predictions"]):
            assert_close(self, conditional["Reaction_expected"][i], expected["expected"], rel=2e-6)
            assert_close(self, conditional["Reaction_expected_se"][i], expected["std_error"], rel=2e-6)
        # Population level: b0 + b1 Days, with the delta method's SE from
        # the fixed effects' covariance.
        population = f.predict(rows, population=True)
        names = list(f.estimates)
        i0, i1 = names.index("b0"), names.index("b1")
        cov = f.covariance[np.ix_([i0, i1], [i0, i1])]
        x = np.column_stack([np.ones(len(picked)), rows["Days"]])
        np.testing.assert_allclose(population["Reaction_expected"], x @ [f.estimates["b0"], f.estimates["b1"]],
                                   rtol=1e-10)
        np.testing.assert_allclose(population["Reaction_expected_se"],
                                   np.sqrt(np.einsum("ij,jk,ik->i", x, cov, x)), rtol=1e-8)

    def test_a_column_the_predictions_read_must_be_given(self):
        f = mlec.fit(MODELS / "logistic.mle", MODELS / "logistic.csv")
        with self.assertRaisesRegex(mlec.DataError, "<data>: error: cannot predict y_expected: it reads column "
                                                    "'x3', which the new data do not have"):
            f.predict({"x1": [0.0], "x2": [1.0]})

    def test_a_level_the_fit_did_not_see_is_a_data_error(self):
        f = mlec.fit(MODELS / "mixed" / "sleepstudy.mle", MODELS / "mixed" / "sleepstudy.csv")
        with self.assertRaisesRegex(mlec.DataError, "row 1, column 'Subject': level '999' was not in the data "
                                                    "the model was fitted to"):
            f.predict({"Days": [1.0], "Subject": [999.0]})


class SimulateTest(unittest.TestCase):
    """Fit.simulate: reproducible by seed, the covariates kept, outcomes in
    their support, and on average the fitted probabilities."""

    def test_logistic(self):
        f = mlec.fit(MODELS / "logistic.mle", MODELS / "logistic.csv")
        csv = np.genfromtxt(MODELS / "logistic.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
        first = f.simulate(seed=7)
        self.assertEqual(list(first), ["x1", "x2", "x3", "y"])
        np.testing.assert_array_equal(f.simulate(seed=7)["y"], first["y"])
        self.assertFalse(np.array_equal(f.simulate(seed=8)["y"], first["y"]))
        for name in ("x1", "x2", "x3"):
            np.testing.assert_allclose(first[name], csv[name], rtol=1e-15)
        self.assertTrue(set(np.unique(first["y"])) <= {0.0, 1.0})
        # The mean of 40 draws of all rows against the fitted probabilities'
        # mean, within 4 of its standard errors.
        p = f.predict(MODELS / "logistic.csv")["y_expected"]
        draws = np.mean([f.simulate(seed=s)["y"].mean() for s in range(1, 41)])
        se = math.sqrt(np.sum(p * (1 - p)) / 40) / len(p)
        self.assertLess(abs(draws - p.mean()), 4 * se)

    def test_group_labels_come_back_as_text(self):
        rng = np.random.default_rng(2)
        labels = [["north", "south", "east"][i % 3] for i in range(60)]
        y = rng.normal(size=60) + np.array([{"north": 1.0, "south": -1.0, "east": 0.0}[g] for g in labels])
        with tempfile.TemporaryDirectory() as folder:
            path = pathlib.Path(folder) / "groups.csv"
            path.write_text("y,g\n" + "".join(f"{v!r},{g}\n" for v, g in zip(y, labels)))
            f = mlec.fit("param mu, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(mu + u[g], sigma)",
                         path)
            s = f.simulate(seed=3)
        self.assertEqual(s["g"], labels)
        self.assertEqual(s["y"].shape, (60,))
        self.assertFalse(np.array_equal(s["y"], y))


class CompareTest(unittest.TestCase):
    """mlec.compare: AIC, Akaike weights and the likelihood-ratio test from
    each fit's own log-likelihood and parameter count, computed here."""

    def setUp(self):
        rng = np.random.default_rng(5)
        x = rng.normal(size=300)
        self.data = {"x": x, "y": rng.poisson(np.exp(0.2 + 0.3 * x)).astype(float)}

    def test_nested_poisson_models(self):
        small = mlec.fit("y ~ poisson(exp(a))", self.data)
        large = mlec.fit("y ~ poisson(exp(a + b*x))", self.data)
        c = mlec.compare([small, large])
        self.assertEqual(c.n_obs, 300)
        aic = [2 * k - 2 * f.log_likelihood for k, f in ((1, small), (2, large))]
        for row, expected in zip(c.rows, aic):
            assert_close(self, row["aic"], expected, rel=1e-12)
        weights = np.exp(-(np.array(aic) - min(aic)) / 2)
        weights /= weights.sum()
        for row, expected in zip(c.rows, weights):
            assert_close(self, row["akaike_weight"], expected, rel=1e-9)
        self.assertEqual(len(c.tests), 1)
        statistic = 2 * (large.log_likelihood - small.log_likelihood)
        assert_close(self, c.tests[0]["statistic"], statistic, rel=1e-12)
        self.assertEqual(c.tests[0]["df"], 1)
        assert_close(self, c.tests[0]["p_value"], math.erfc(math.sqrt(statistic / 2)), rel=1e-9)
        self.assertIn("Comparison of 2 models on 300 observations", c.report())
        self.assertEqual(json.loads(c.json())["n_obs"], 300)

    def test_different_outcomes_are_a_model_error(self):
        data = dict(self.data, z=self.data["y"] + 1)
        with self.assertRaisesRegex(mlec.ModelError, "likelihoods of different outcomes cannot be compared"):
            mlec.compare([mlec.fit("y ~ poisson(exp(a))", data), mlec.fit("z ~ poisson(exp(a))", data)])


class StatsmodelsNamesTest(unittest.TestCase):
    """statsmodels' attribute names on models/logistic.mle against R's glm
    (models/logistic.expected.json) and Wald intervals computed here; pandas
    objects where pandas is installed, dicts and arrays where it is not."""

    def setUp(self):
        self.expected = json.loads((MODELS / "logistic.expected.json").read_text())
        self.fit = mlec.fit(MODELS / "logistic.mle", MODELS / "logistic.csv")

    def test_values(self):
        names = [p["name"] for p in self.expected["parameters"]]
        params, bse = self.fit.params, self.fit.bse
        for p in self.expected["parameters"]:
            assert_close(self, params[p["name"]], p["estimate"], rel=1e-6)
            assert_close(self, bse[p["name"]], p["std_error"], rel=1e-4)
            assert_close(self, self.fit.tvalues[p["name"]], params[p["name"]] / bse[p["name"]], rel=1e-12)
            assert_close(self, self.fit.pvalues[p["name"]],
                         math.erfc(abs(params[p["name"]] / bse[p["name"]]) / math.sqrt(2)), rel=1e-9)
        assert_close(self, self.fit.llf, self.expected["log_likelihood"])
        self.assertEqual(self.fit.nobs, self.expected["n_obs"])
        intervals = np.asarray(self.fit.conf_int())
        self.assertEqual(intervals.shape, (4, 2))
        for i, name in enumerate(names):
            assert_close(self, intervals[i, 0], params[name] - Z_975 * bse[name], rel=1e-9)
            assert_close(self, intervals[i, 1], params[name] + Z_975 * bse[name], rel=1e-9)
        covariance = np.asarray(self.fit.cov_params())
        np.testing.assert_allclose(np.sqrt(np.diag(covariance)), [bse[n] for n in names], rtol=1e-12)
        np.testing.assert_allclose(self.fit.conf_int(alpha=0.05), self.fit.conf_int())
        # Another alpha fits again for it: 90% Wald intervals.
        z_95 = 1.6448536269514722
        narrower = np.asarray(self.fit.conf_int(alpha=0.1))
        for i, name in enumerate(names):
            assert_close(self, narrower[i, 0], params[name] - z_95 * bse[name], rel=1e-9)
            assert_close(self, narrower[i, 1], params[name] + z_95 * bse[name], rel=1e-9)
        self.assertEqual(str(self.fit.summary()), self.fit.report())
        self.assertEqual(repr(self.fit.summary()), self.fit.report())

    @unittest.skipUnless(importlib.util.find_spec("pandas"), "pandas is not installed")
    def test_pandas_objects(self):
        import pandas as pd
        names = [p["name"] for p in self.expected["parameters"]]
        self.assertIsInstance(self.fit.params, pd.Series)
        self.assertEqual(list(self.fit.params.index), names)
        self.assertIsInstance(self.fit.bse, pd.Series)
        intervals = self.fit.conf_int()
        self.assertIsInstance(intervals, pd.DataFrame)
        self.assertEqual(list(intervals.columns), [0, 1])
        self.assertEqual(list(intervals.index), names)
        covariance = self.fit.cov_params()
        self.assertIsInstance(covariance, pd.DataFrame)
        self.assertEqual(list(covariance.columns), names)

    def test_without_pandas(self):
        # pandas made unimportable in a fresh interpreter.
        script = (
            "import sys; sys.modules['pandas'] = None\n"
            "import numpy as np, mlec\n"
            f"f = mlec.fit({str(MODELS / 'logistic.mle')!r}, {str(MODELS / 'logistic.csv')!r})\n"
            "assert isinstance(f.params, dict) and list(f.params) == f.names, f.params\n"
            "assert isinstance(f.bse, dict)\n"
            "assert isinstance(f.conf_int(), np.ndarray) and f.conf_int().shape == (4, 2)\n"
            "assert isinstance(f.cov_params(), np.ndarray)\n"
            "print('ok')\n")
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "ok\n")


class NotebookTest(unittest.TestCase):
    """Fit._repr_html_: a table of the parameters, each estimate, standard
    error and interval to 7 significant digits, names escaped."""

    def test_html_table(self):
        f = mlec.fit("y ~ poisson(exp(a + b*x))", {"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0, 9.0]})
        html = f._repr_html_()
        self.assertTrue(html.startswith('<div class="mlec-fit"><p><b>&lt;model&gt;</b> fitted to <b>&lt;data&gt;</b>'))
        for name in ("a", "b"):
            self.assertIn(f"<tr><th>{name}</th><td>{f.estimates[name]:.7g}</td><td>{f.std_errors[name]:.7g}</td>",
                          html)
            lower, upper = f.ci[name]
            self.assertIn(f"<td>{lower:.7g}</td><td>{upper:.7g}</td></tr>", html)
        self.assertEqual(html.count("<tr>"), 3)  # the header and two parameters


class CheckGradientTest(unittest.TestCase):
    """Problem.check_gradient: the exact gradient agrees with differences at
    a point of a correct model."""

    def test_logistic(self):
        problem = mlec.Problem(MODELS / "logistic.mle", MODELS / "logistic.csv")
        check = problem.check_gradient(np.array([0.3, -0.7, 0.2, 1.1]))
        self.assertLess(check["max_rel_error"], 1e-7)
        self.assertLess(check["max_abs_error"], 1e-6)
        self.assertIn(check["parameter"], problem.names)
        with self.assertRaisesRegex(ValueError, "theta has 2 values; the problem has 4 parameters"):
            problem.check_gradient([0.0, 0.0])


class LabelledColumnsTest(unittest.TestCase):
    """Text and pandas Categorical columns as group levels: the same fit,
    to the last bit, as the CSV of the same texts (whose levels are in
    order of first appearance); a Categorical's levels in its categories'
    order."""

    MODEL = "param mu, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(mu + u[g], sigma)"

    def setUp(self):
        rng = np.random.default_rng(4)
        self.labels = [["north", "south", "east"][i % 3] for i in range(60)]
        shift = {"north": 1.0, "south": -1.0, "east": 0.0}
        self.y = rng.normal(size=60) + np.array([shift[g] for g in self.labels])
        self.folder = tempfile.TemporaryDirectory()
        self.csv = pathlib.Path(self.folder.name) / "groups.csv"
        self.csv.write_text("y,g\n" + "".join(f"{v!r},{g}\n" for v, g in zip(self.y, self.labels)))

    def tearDown(self):
        self.folder.cleanup()

    def report_without_data_name(self, fit):
        report = json.loads(fit.json())
        del report["data"]
        return report

    def test_text_equals_the_csv(self):
        expected = self.report_without_data_name(mlec.fit(self.MODEL, self.csv))
        self.assertEqual([e["level"] for e in expected["random_effects"][0]["levels"]], ["north", "south", "east"])
        self.assertEqual(self.report_without_data_name(mlec.fit(self.MODEL, {"y": self.y, "g": self.labels})),
                         expected)
        self.assertEqual(self.report_without_data_name(
            mlec.fit(self.MODEL, {"y": self.y, "g": np.array(self.labels)})), expected)

    @unittest.skipUnless(importlib.util.find_spec("pandas"), "pandas is not installed")
    def test_data_frames(self):
        import pandas as pd
        expected = self.report_without_data_name(mlec.fit(self.MODEL, self.csv))
        frame = pd.DataFrame({"y": self.y, "g": self.labels})
        self.assertEqual(self.report_without_data_name(mlec.fit(self.MODEL, frame)), expected)
        # A Categorical: its categories' order (sorted by default), the same
        # fit (to rounding: the effects are summed in another order).
        categorical = mlec.fit(self.MODEL, pd.DataFrame({"y": self.y, "g": pd.Categorical(self.labels)}))
        self.assertEqual([r["level"] for r in categorical.random_effects["u"]], ["east", "north", "south"])
        assert_close(self, categorical.log_likelihood, mlec.fit(self.MODEL, self.csv).log_likelihood, rel=1e-12)
        by_level = {r["level"]: r["mode"] for r in categorical.random_effects["u"]}
        for r in mlec.fit(self.MODEL, self.csv).random_effects["u"]:
            assert_close(self, by_level[r["level"]], r["mode"], rel=1e-8)

    def test_missing_labels(self):
        labels = list(self.labels)
        labels[1] = None
        with self.assertRaisesRegex(mlec.DataError, "^<data>: error: row 2, column 'g': missing value$"):
            mlec.fit(self.MODEL, {"y": self.y, "g": labels})
        dropped = mlec.fit(self.MODEL, {"y": self.y, "g": labels}, na="drop")
        self.assertEqual(dropped.n_obs, 59)
        self.assertEqual(dropped.rows_dropped, 1)

    def test_labels_read_as_numbers(self):
        with self.assertRaisesRegex(mlec.DataError, "row 1, column 'g': expected a number, found 'north'"):
            mlec.fit("y ~ normal(mu + b*g, sigma)", {"y": self.y, "g": self.labels})


# The chi-square(1) 0.95 quantile: where a 95% profile interval's ends are.
CHISQ1_95 = 3.841458820694124


class AfterTheFitTest(unittest.TestCase):
    """Profile intervals, the bootstrap and the pictures asked for after the
    fit are those of a fit that asked for them at the start."""

    @classmethod
    def setUpClass(cls):
        cls.model, cls.data = str(MODELS / "logistic.mle"), str(MODELS / "logistic.csv")
        cls.fit = mlec.fit(cls.model, cls.data)

    def test_profile_after_the_fit(self):
        profiled = self.fit.profile()
        at_start = mlec.fit(self.model, self.data, ci="profile")
        self.assertEqual(profiled.ci_method, "profile")
        self.assertEqual(profiled.json(), at_start.json())
        np.testing.assert_array_equal(np.asarray(self.fit.conf_int(method="profile")),
                                      np.asarray(at_start.conf_int()))
        self.assertEqual(self.fit.ci_method, "wald")  # the fit itself is unchanged
        self.assertEqual(self.fit.profiles, {})
        for name, curve in profiled.profiles.items():
            self.assertAlmostEqual(float(np.min(curve["deviance"])), 0.0, places=8)
            lower, upper = profiled.ci[name]
            order = np.argsort(curve["value"])
            crossing = np.interp([lower, upper], curve["value"][order], curve["deviance"][order])
            np.testing.assert_allclose(crossing, [CHISQ1_95, CHISQ1_95], rtol=0.02)

    def test_bootstrap_after_the_fit(self):
        booted = self.fit.bootstrap(40)
        at_start = mlec.fit(self.model, self.data, bootstrap=40)
        self.assertEqual(booted.json(), at_start.json())
        self.assertEqual(booted.bootstrap_replicates + booted.bootstrap_failed, 40)
        self.assertEqual(set(booted.bootstrap_intervals), set(self.fit.names))
        for name, b in booted.bootstrap_intervals.items():
            self.assertLess(b["lower"], self.fit.estimates[name])
            self.assertGreater(b["upper"], self.fit.estimates[name])
            # 40 replicates: the bootstrap SE within 40% of the Wald SE.
            assert_close(self, b["std_error"], self.fit.std_errors[name], rel=0.4)
        with self.assertRaises(ValueError):
            self.fit.bootstrap(0)

    def test_a_refit_that_moves_warns(self):
        # From these starts the mixture's fit stops at a local maximum with
        # one component on a single point; its profile meets the
        # likelihood's unbounded rise as s1 -> 0, and the refit reports the
        # divergence.
        fit = mlec.fit(str(MODELS / "mixture.mle"), str(MODELS / "mixture.csv"), start={"m1": 0, "m2": 0.1})
        self.assertEqual(fit.status, "converged")
        with self.assertWarnsRegex(RuntimeWarning, r"ended elsewhere: log-likelihood -652.79939, status diverged, "
                                   r"where this fit has -1073.3559, converged \(a higher likelihood: this fit is "
                                   r"not the maximum\)\. The refit: no finite maximum"):
            profiled = fit.profile()
        self.assertEqual(profiled.status, "diverged")
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            self.fit.profile()  # the same path: no warning
            self.fit.conf_int(alpha=0.1)

    def test_plots_render_inline(self):
        plots = self.fit.plots()
        self.assertEqual(list(plots), ["convergence.svg", "gradient.svg"])
        plot = plots["convergence.svg"]
        self.assertIsInstance(plot, mlec.Plot)
        self.assertIn("<svg xmlns", plot._repr_svg_())
        self.assertIn("<polyline", plot.svg)
        profiled = self.fit.profile().plots()
        self.assertEqual(len(profiled), len(self.fit.names) + 2)  # one per profile, and the two traces
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.svg")
            plot.save(path)
            with open(path, encoding="utf-8") as f:
                self.assertEqual(f.read(), plot.svg)


def model_pairs(folder):
    """Each model in `folder` with its data: the CSV its comments name, else
    the CSV whose name is the longest prefix of the model's."""
    csvs = sorted(p.name for p in folder.glob("*.csv"))
    stems = [c[:-4] for c in csvs]
    pairs = {}
    for model in sorted(folder.glob("*.mle")):
        comments = [line for line in model.read_text().splitlines() if line.startswith("#")]
        named = [w for line in comments for w in re.findall(r"[A-Za-z0-9_]+\.csv", line) if w in csvs]
        candidates = [s for s in stems if model.stem.startswith(s)]
        if named:
            pairs[model.stem] = (model, folder / named[0])
        elif candidates:
            pairs[model.stem] = (model, folder / (max(candidates, key=len) + ".csv"))
    return pairs


def exact_columns(path):
    """A CSV as a dict of columns: numbers (float(), correctly rounded) where
    every cell is one (empty: NaN), else the texts (empty: None)."""
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    columns = {}
    for k, name in enumerate(rows[0]):
        cells = [r[k] for r in rows[1:]]
        try:
            columns[name] = np.array([float(c) if c != "" else math.nan for c in cells])
        except ValueError:
            columns[name] = [c if c != "" else None for c in cells]
    return columns


def without_data_name(text):
    return re.sub(r'"data": "[^"]*"', '"data": ""', text)


@unittest.skipUnless(os.environ.get("MLEC_CLI"), "MLEC_CLI (the mlec command) is not set")
class CommandParityTest(unittest.TestCase):
    """Every model in models/ (and models/mixed/) fitted from Python gives
    the mlec command's JSON report byte for byte, from the CSV path, from a
    dict of columns and from a pandas DataFrame (the data's name aside)."""

    def test_every_model(self):
        pairs = {**model_pairs(MODELS), **model_pairs(MODELS / "mixed")}
        self.assertGreaterEqual(len(pairs), 55)
        pandas = importlib.util.find_spec("pandas") and __import__("pandas")
        for name, (model, data) in pairs.items():
            with self.subTest(model=name):
                command = subprocess.run([os.environ["MLEC_CLI"], str(model), str(data), "--format", "json"],
                                         capture_output=True, text=True, check=False)
                from_path = mlec.fit(str(model), str(data))
                self.assertEqual(from_path.json(), command.stdout)
                self.assertEqual(from_path.exit_code, command.returncode)
                expected = without_data_name(from_path.json())
                self.assertEqual(without_data_name(mlec.fit(str(model), exact_columns(data)).json()), expected)
                if pandas:
                    frame = pandas.read_csv(data, float_precision="round_trip")
                    self.assertEqual(without_data_name(mlec.fit(str(model), frame).json()), expected)


class ColumnsInPlaceTest(unittest.TestCase):
    """Contiguous float64 columns are read where they are (no copy); others
    are converted into the module's own buffers."""

    MODEL = "param sigma > 0\ny ~ normal(mu, sigma)"

    def test_float64_read_in_place(self):
        y = np.array([1.0, 2.0, 4.0, 8.0])
        references = sys.getrefcount(y)
        problem = mlec.Problem(self.MODEL, {"y": y})
        self.assertEqual(sys.getrefcount(y), references + 1)  # kept by the problem
        theta = problem.start()
        before = problem.nll(theta)
        y[0] = 100.0  # the problem reads this very buffer
        self.assertNotEqual(problem.nll(theta), before)
        del problem
        self.assertEqual(sys.getrefcount(y), references)

    def test_dataframe_column_read_in_place(self):
        pd = importlib.util.find_spec("pandas") and __import__("pandas")
        if not pd:
            self.skipTest("pandas is not installed")
        frame = pd.DataFrame({"y": [1.0, 2.0, 4.0, 8.0]})
        problem = mlec.Problem(self.MODEL, frame)
        theta = problem.start()
        before = problem.nll(theta)
        frame["y"].to_numpy()[0] = 100.0
        self.assertNotEqual(problem.nll(theta), before)

    def test_converted_and_strided_columns_are_copied(self):
        for y in (np.array([1, 2, 4, 8]), np.array([1.0, 0, 2.0, 0, 4.0, 0, 8.0, 0])[::2]):
            with self.subTest(dtype=str(y.dtype), strides=y.strides):
                problem = mlec.Problem(self.MODEL, {"y": y})
                theta = problem.start()
                before = problem.nll(theta)
                y[0] = 100
                self.assertEqual(problem.nll(theta), before)


@unittest.skipUnless(os.environ.get("MLEC_CLI"), "MLEC_CLI (the mlec command) is not set")
class CommandErrorTextTest(unittest.TestCase):
    """Errors carry exactly the text the mlec command prints on stderr."""

    def command_error(self, *args):
        result = subprocess.run([os.environ["MLEC_CLI"], *map(str, args)], capture_output=True, text=True, check=False)
        self.assertNotEqual(result.returncode, 0)
        return result.stderr.rstrip("\n"), result.returncode

    def test_model_data_and_file_errors(self):
        with tempfile.TemporaryDirectory() as d:
            model = pathlib.Path(d) / "typo.mle"
            model.write_text("param sigma > 0\ny ~ normall(b0 + b1*x1, sigma)\n")
            bad = pathlib.Path(d) / "bad.csv"
            bad.write_text("x1,x2,y\n1,2,3\n2,1,oops\n3,3,1\n")
            cases = [(mlec.ModelError, model, MODELS / "linear.csv", 2),
                     (mlec.DataError, MODELS / "linear.mle", bad, 3),
                     (mlec.DataError, MODELS / "linear.mle", pathlib.Path(d) / "missing.csv", 1)]
            for error, model_path, data_path, code in cases:
                with self.subTest(model=model_path.name, data=data_path.name):
                    text, returncode = self.command_error(model_path, data_path)
                    self.assertEqual(returncode, code)
                    with self.assertRaises(error) as raised:
                        mlec.fit(str(model_path), str(data_path))
                    self.assertEqual(str(raised.exception), text)


class ExampleTest(unittest.TestCase):
    """docs/python.md shows python/example.py (without its docstring), which
    CTest runs: the session in the docs is the one that is tested."""

    def test_docs_show_the_example(self):
        docs = (SOURCE_DIR / "docs" / "python.md").read_text()
        shown = docs.split("```python\n", 1)[1].split("```\n", 1)[0]
        example = (SOURCE_DIR / "python" / "example.py").read_text()
        self.assertEqual(shown, example.split('"""\n', 2)[2].lstrip("\n"))

    def test_compare_names(self):
        a = mlec.fit("y ~ poisson(exp(b0))", str(MODELS / "poisson.csv"))
        b = mlec.fit(str(MODELS / "poisson.mle"), str(MODELS / "poisson.csv"))
        report = mlec.compare([a, b], names=["constant", "full"]).report()
        self.assertIn("\nconstant ", report)
        self.assertIn("\nfull ", report)
        with self.assertRaisesRegex(ValueError, "names has 1 entries for 2 fits"):
            mlec.compare([a, b], names=["one"])
