"""mlec from Python: the example of docs/python.md.

Run with the built module on PYTHONPATH, from anywhere:

    PYTHONPATH=build/python python3 python/example.py
"""

import json
import pathlib

import numpy as np

import mlec

models = pathlib.Path(__file__).resolve().parent.parent / "models"

# 1. A model file and a CSV file, as on the command line.
fit = mlec.fit(models / "logistic.mle", models / "logistic.csv")
print(fit.report())
print("converged:", fit.converged, "| log-likelihood:", fit.log_likelihood)
for name in fit.names:
    lower, upper = fit.ci[name]
    print(f"{name}: {fit.estimates[name]:.4f} (SE {fit.std_errors[name]:.4f}), 95% CI [{lower:.4f}, {upper:.4f}]")

# 2. Model text and NumPy arrays. A string holding '~' or a newline is model
#    text; float64 arrays are read in place, int64 columns converted to float64.
rng = np.random.default_rng(1)
x = rng.normal(size=200)
y = rng.poisson(np.exp(0.5 + 0.8 * x))  # int64
model = """
y ~ poisson(exp(a + b*x))
report rate_ratio = exp(b)
"""
progress = []
fit = mlec.fit(model, {"x": x, "y": y}, on_iteration=lambda info: progress.append(info["nll"]))
print("NLL by iteration:", [round(v, 4) for v in progress])
print("estimates:", fit.estimates)
print("rate ratio:", fit.derived["rate_ratio"])
print("covariance:\n", fit.covariance)
print("JSON keys:", sorted(json.loads(fit.json()))[:5], "...")

# 3. Errors are exceptions carrying the CLI's message, with line:column.
try:
    mlec.fit("y ~ poisson(exp(a + b*))", {"x": x, "y": y})
except mlec.ModelError as error:
    print(error)

# 4. Your own optimizer: the NLL with exact derivatives. A few Newton steps
#    from the start values reach the same estimate as mlec.fit.
problem = mlec.Problem(model, {"x": x, "y": y})
theta = problem.start()
for _ in range(50):
    value, gradient, hessian = problem.nll_gradient_hessian(theta)
    step = np.linalg.solve(hessian, gradient)
    theta = theta - step
    if np.max(np.abs(step)) < 1e-12:
        break
print(dict(zip(problem.names, theta)), "NLL", problem.nll(theta))
assert np.allclose(theta, [fit.estimates[n] for n in problem.names], rtol=1e-8, atol=1e-10)

# 5. Groups from text labels, predictions, a comparison, and intervals after
#    the fit. Text columns (or a pandas DataFrame's) are group levels.
colors = ["red", "green", "blue"]
group = [colors[i % 3] for i in range(90)]
level = rng.normal(size=90) + np.array([{"red": 1.0, "green": 2.0, "blue": 3.0}[g] for g in group])
data = {"color": group, "level": level}
by_color = mlec.fit("param mu[color], sigma > 0\nlevel ~ normal(mu[color], sigma)", data)
pooled = mlec.fit("param sigma > 0\nlevel ~ normal(mu, sigma)", data)
print(by_color.params)  # a pandas Series when pandas is installed
print(mlec.compare([pooled, by_color], names=["pooled", "by color"]).report())
new = by_color.predict({"color": ["blue", "red"]})
print("expected level for blue, red:", new["level_expected"], "+-", new["level_expected_se"])
profiled = by_color.profile()  # profile-likelihood intervals, fitted again from the same start
print(profiled.conf_int())
print(sorted(profiled.plots()))  # SVGs; a notebook shows each inline
assert new["level_expected"][0] == by_color.estimates["mu[blue]"]
