// The rules that keep a mistyped column or constant from silently becoming a
// parameter: looks_like_column over generated column families and slips of
// real column names, scale_free over generated products (against Eigen's
// null space), and the whole check through binding a model to data.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <cctype>
#include <map>
#include <numbers>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "grammar/parse.hpp"
#include "interpreter/products.hpp"
#include "interpreter/suggest.hpp"
#include "mlec/mlec.hpp"

using mlec::interp::looks_like_column;

namespace {

// stem + k ("x3"). (A function, not "x" + std::to_string(k): that trips
// GCC 12's false -Wrestrict warning.)
std::string indexed(std::string stem, int k) { return stem += std::to_string(k); }

std::vector<std::string> numbered(const std::string& stem, int n) {
    std::vector<std::string> out;
    for (int k = 1; k <= n; ++k) out.push_back(indexed(stem, k));
    return out;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// The parameters of `text` that scale_free finds; every name not in
// `columns` is a parameter.
std::set<std::string> inseparable(const std::string& text, const std::set<std::string>& columns = {}) {
    const mlec::ParseResult parsed = mlec::parse_model(mlec::SourceText("m.mle", text));
    INFO(text << mlec::format(parsed.diagnostics));
    REQUIRE(parsed.model);
    const auto uses =
        mlec::interp::product_uses(*parsed.model, [&](const std::string& n) { return !columns.count(n); });
    return mlec::interp::scale_free(uses);
}

// The first line of the diagnostics of binding `model` to `csv` ("" when it
// binds without any).
std::string bind_text(const std::string& model, const std::string& csv) {
    mlec::Diagnostics ds;
    auto m = mlec::Model::from_text(model, "m.mle", ds);
    auto d = mlec::Data::from_csv_text(csv, "d.csv", ds);
    if (m && d) {
        auto p = mlec::Problem::bind(*m, *d, ds);
        if (p) ds.insert(ds.end(), p->warnings().begin(), p->warnings().end());
    }
    const std::string text = mlec::format(ds);
    return text.substr(0, text.find('\n'));
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (const std::string& part : parts) {
        if (!out.empty()) out += separator;
        out += part;
    }
    return out;
}

// A CSV with the given header and three rows of small numbers.
std::string csv_with(const std::vector<std::string>& header) {
    std::string out = joined(header, ",") + "\n";
    for (std::size_t r = 1; r <= 3; ++r) {
        std::vector<std::string> row;
        for (std::size_t i = 0; i < header.size(); ++i) row.push_back(std::to_string((r * 7 + i * 3) % 5));
        out += joined(row, ",") + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("another number of a column's stem looks like a column, other stems do not") {
    for (int n = 1; n <= 12; ++n) {
        for (const std::string stem : {"x", "x_", "dose", "X"}) {
            std::vector<std::string> columns = numbered(stem, n);
            columns.push_back("y");
            INFO("columns " << stem << "1.." << stem << n);
            for (int k : {0, n + 1, n + 9, 100}) {
                // the stem as written, in another case, with or without '_'
                for (const std::string& variant : {stem, upper(stem), stem == "x_" ? "x" : stem + "_"}) {
                    const std::string name = variant + std::to_string(k);
                    INFO(name);
                    const auto like = looks_like_column(name, columns);
                    REQUIRE(like);
                    CHECK(like->numbered);
                    CHECK(like->columns == numbered(stem, n));
                }
            }
            // coefficients named after the columns: another stem
            for (const std::string other : {"b", "w", "beta", "coef_", "a", "bx"}) {
                for (int k = 0; k <= n + 1; ++k) {
                    INFO(other + std::to_string(k));
                    CHECK_FALSE(looks_like_column(other + std::to_string(k), columns));
                }
            }
        }
    }
    // a stem counts only when it is a column's stem
    CHECK_FALSE(looks_like_column("b1", std::vector<std::string>{"x1", "x2"}));
    CHECK_FALSE(looks_like_column("b10", std::vector<std::string>{"x10", "y"}));
    CHECK_FALSE(looks_like_column("x1", std::vector<std::string>{"x", "y"}));
    CHECK_FALSE(looks_like_column("x", std::vector<std::string>{"x1", "x2"}));  // one character: no slip
}

TEST_CASE("slips of a column's name look like it, coefficients named after it do not") {
    const std::vector<std::string> words{"age", "height", "weight", "dose", "income", "time", "sex", "bmi", "ab"};
    for (const std::string& w : words) {
        const std::vector<std::string> columns{w, "y"};
        auto like = [&](const std::string& name) {
            INFO("'" << name << "' beside column '" << w << "'");
            const auto l = looks_like_column(name, columns);
            if (l) CHECK(l->columns == std::vector<std::string>{w});
            return l.has_value();
        };
        for (std::size_t i = 0; i < w.size(); ++i) {
            std::string dropped = w;
            dropped.erase(i, 1);
            CHECK(like(dropped) == (dropped.size() >= 2));  // ag for age; not b for ab
            std::string doubled = w;
            doubled.insert(i, 1, w[i]);
            CHECK(like(doubled));  // heigght, aage
            std::string with_underscore = w;
            with_underscore.insert(i, 1, '_');
            CHECK(like(with_underscore));
            std::string replaced = w;
            replaced[i] = 'q';
            CHECK(like(replaced) == (w.size() >= 5));  // wqight; not bmq for bmi
            if (i + 1 < w.size() && w[i] != w[i + 1]) {
                std::string swapped = w;
                std::swap(swapped[i], swapped[i + 1]);
                CHECK(like(swapped));  // hieght
            }
        }
        CHECK(like(upper(w)));
        CHECK(like(upper(w.substr(0, 1)) + w.substr(1)));
        // one letter put before the column's name names its coefficient
        for (char letter : {'b', 'c', 'w', 'z'}) {
            if (letter == w[0]) continue;
            CHECK_FALSE(like(letter + w));
        }
    }
    // the XOR table's coefficients beside its columns a, b, y
    for (const std::string name : {"w1", "w2", "c", "b0", "d"})
        CHECK_FALSE(looks_like_column(name, std::vector<std::string>{"a", "b", "y"}));
    // describe names the family, at most four columns
    CHECK(mlec::interp::describe(*looks_like_column("x9", numbered("x", 2))) == "columns 'x1', 'x2'");
    CHECK(mlec::interp::describe(*looks_like_column("x9", numbered("x", 6))) == "columns 'x1', 'x2', 'x3', 'x4', ...");
    CHECK(mlec::interp::describe(*looks_like_column("agee", std::vector<std::string>{"age"})) == "column 'age'");
}

TEST_CASE("well-known constants that mlec does not have say what to write instead") {
    for (const char* name : {"e", "inf", "Inf", "infinity", "nan", "NaN", "NA", "TRUE", "FALSE", "true", "false"}) {
        INFO(name);
        CHECK(mlec::interp::not_a_constant(name));
    }
    CHECK(*mlec::interp::not_a_constant("e") == "write exp(1) for Euler's number");
    for (const char* name : {"pi", "E", "x", "exp", "na", "True", "Infinity"}) {
        INFO(name);
        CHECK_FALSE(mlec::interp::not_a_constant(name));
    }
}

TEST_CASE("scale_free: products the data cannot split") {
    const std::set<std::string> none;
    CHECK(inseparable("y ~ normal(a*b, s)\n") == std::set<std::string>{"a", "b"});
    CHECK(inseparable("y ~ normal(a*b*x, s)\n", {"x", "y"}) == std::set<std::string>{"a", "b"});
    CHECK(inseparable("y ~ normal(a/b, s)\n") == std::set<std::string>{"a", "b"});
    CHECK(inseparable("y ~ normal(-b1*x3, s)\n") == std::set<std::string>{"b1", "x3"});
    CHECK(inseparable("y ~ normal(-(b1*x3), s)\n") == std::set<std::string>{"b1", "x3"});
    CHECK(inseparable("y ~ normal(a*a*b, s)\n") == std::set<std::string>{"a", "b"});
    CHECK(inseparable("y ~ normal(b1*z + b2*z, s)\n") == std::set<std::string>{"b1", "b2", "z"});
    // a report does not fix a scale: it is not part of the likelihood
    CHECK(inseparable("y ~ normal(a*b, s)\nreport r = a\n") == std::set<std::string>{"a", "b"});
    // a local's definition is where its products are
    CHECK(inseparable("m = a*b\ny ~ normal(m*x, s)\n", {"x", "y", "m"}) == std::set<std::string>{"a", "b"});

    // identified: another use fixes a scale
    CHECK(inseparable("y ~ normal(b1*z + b1*x, s)\n", {"x", "y"}) == none);
    CHECK(inseparable("y ~ beta(mu*phi, (1 - mu)*phi)\n", {"y"}) == none);
    CHECK(inseparable("y ~ gamma(shape, shape / mu)\n", {"y"}) == none);
    CHECK(inseparable("y ~ normal(a*b + exp(a), s)\n", {"y"}) == none);
    CHECK(inseparable("y ~ normal(b * (1 - exp(-k * x)), s)\n", {"x", "y"}) == none);
    // a*b and a/b fix a^2 and b^2: found by elimination, not by propagation
    CHECK(inseparable("y ~ normal(a*b + a/b, s)\n", {"y"}) == none);
}

TEST_CASE("scale_free over generated linear predictors, chains and cycles") {
    // b0 + b1*x1 + ... + bN*xN: every coefficient multiplies a column
    for (int n : {1, 5, 50, 1500}) {
        std::string eta = "b0";
        std::set<std::string> columns{"y"};
        for (int k = 1; k <= n; ++k) {
            eta += " + b" + std::to_string(k) + "*x" + std::to_string(k);
            columns.insert(indexed("x", k));
        }
        INFO(n << " terms");
        CHECK(inseparable("y ~ normal(" + eta + ", s)\n", columns).empty());
    }
    // a1*a2 + a2*a3 + ... + a(k-1)*ak: one free direction through the chain,
    // which one bare use of a1 removes
    for (int k = 2; k <= 30; ++k) {
        std::vector<std::string> products;
        std::set<std::string> all;
        for (int i = 1; i < k; ++i) products.push_back(indexed("a", i) + "*a" + std::to_string(i + 1));
        for (int i = 1; i <= k; ++i) all.insert(indexed("a", i));
        const std::string chain = joined(products, " + ");
        INFO("chain of " << k);
        CHECK(inseparable("y ~ normal(" + chain + ", s)\n", {"y"}) == all);
        CHECK(inseparable("y ~ normal(" + chain + " + a1, s)\n", {"y"}).empty());
    }
    // a cycle of products: an even one has the free direction +t, -t, +t, ...;
    // an odd one has none
    for (int k = 3; k <= 12; ++k) {
        std::vector<std::string> products;
        std::set<std::string> all;
        for (int i = 1; i <= k; ++i) {
            products.push_back(indexed("c", i) + "*c" + std::to_string(i % k + 1));
            all.insert(indexed("c", i));
        }
        const std::string cycle = joined(products, " + ");
        INFO("cycle of " << k);
        CHECK(inseparable("y ~ normal(" + cycle + ", s)\n", {"y"}) == (k % 2 == 0 ? all : std::set<std::string>{}));
    }
}

TEST_CASE("scale_free agrees with Eigen's null space on random products") {
    // Random models over parameters p0..p5 and columns x, z: sums of
    // products of 1 to 3 factors ('*' or '/'), some parameters also alone.
    // The reference: the kernel of the same linear system by FullPivLU.
    std::mt19937 rng(20261);
    const std::vector<std::string> params{"p0", "p1", "p2", "p3", "p4", "p5"};
    const std::vector<std::string> columns{"x", "z"};
    int with_free_direction = 0;
    for (int trial = 0; trial < 400; ++trial) {
        std::vector<std::string> sum;
        std::vector<Eigen::VectorXd> rows;
        auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
        const int terms = 1 + pick(5);
        for (int t = 0; t < terms; ++t) {
            Eigen::VectorXd row = Eigen::VectorXd::Zero(6);
            std::string term;
            const int factors = 1 + pick(3);
            for (int f = 0; f < factors; ++f) {
                const bool divide = f > 0 && pick(3) == 0;
                const bool column = pick(4) == 0;
                const int which = column ? pick(2) : pick(6);
                if (f > 0) term += divide ? '/' : '*';
                term += column ? columns[which] : params[which];
                if (!column) row[which] += divide ? -1 : 1;
            }
            sum.push_back(term);
            // one factor alone is a bare use: it fixes that parameter's scale
            if (factors == 1 && row.squaredNorm() > 0) {
                for (int i = 0; i < 6; ++i) row[i] = row[i] != 0 ? 1 : 0;
            }
            if (row.squaredNorm() > 0) rows.push_back(row);
        }
        const std::string eta = joined(sum, " + ");
        std::set<std::string> used;
        for (const std::string& p : params)
            if (eta.find(p) != std::string::npos) used.insert(p);
        // unused parameters do not appear in the system: fix them
        for (int i = 0; i < 6; ++i) {
            if (used.count(params[i])) continue;
            Eigen::VectorXd row = Eigen::VectorXd::Zero(6);
            row[i] = 1;
            rows.push_back(row);
        }
        Eigen::MatrixXd a(static_cast<Eigen::Index>(rows.size()), 6);
        for (std::size_t r = 0; r < rows.size(); ++r) a.row(static_cast<Eigen::Index>(r)) = rows[r].transpose();
        const Eigen::MatrixXd kernel = Eigen::FullPivLU<Eigen::MatrixXd>(a).kernel();
        std::set<std::string> expected;
        for (int i = 0; i < 6; ++i)
            if (kernel.row(i).cwiseAbs().maxCoeff() > 1e-9) expected.insert(params[i]);
        INFO(eta);
        CHECK(inseparable("y ~ normal(" + eta + ", s)\n", {"x", "z", "y", "s"}) == expected);
        with_free_direction += expected.empty() ? 0 : 1;
    }
    // both outcomes are common enough to be tested
    CHECK(with_free_direction > 40);
    CHECK(with_free_direction < 360);
}

TEST_CASE("a free name that looks like a column is an error, declared a warning") {
    // The example: x3 where the data have x1, x2.
    CHECK(bind_text("y ~ poisson(exp(b0 + b1*x3))\n", csv_with({"x1", "x2", "y"})) ==
          "m.mle:1:25: error: 'x3' is not a column of d.csv but looks like its columns 'x1', 'x2', and as a "
          "parameter the data could not tell it apart from 'b1' in 'b1*x3'; correct the name, or declare them "
          "with 'param b1, x3' if they are parameters");
    // Every column family x1..xN: the model that uses them binds, and the
    // same model with the last column mistyped as x(N+1) is an error there.
    for (int n = 1; n <= 8; ++n) {
        std::vector<std::string> header = numbered("x", n);
        header.push_back("y");
        std::string model = "y ~ normal(b0";
        std::string data = "data y";
        for (int k = 1; k <= n; ++k) {
            model += " + b" + std::to_string(k) + "*x" + std::to_string(k);
            data += ", x" + std::to_string(k);
        }
        INFO(model);
        CHECK(bind_text(model + ", s)\n", csv_with(header)) == "");
        const std::string typo = indexed("x", n + 1);
        const std::string mistyped = model.substr(0, model.rfind('x')) + typo;
        const std::string column = std::to_string(mistyped.size() - typo.size() + 1);
        const std::string first = bind_text(mistyped + ", s)\n", csv_with(header));
        CHECK(first.starts_with("m.mle:1:" + column + ": error: '" + typo +
                                "' is not a column of d.csv but looks "
                                "like its column"));
        // with a `data` statement, the same
        CHECK(bind_text(data + "\n" + mistyped + ", s)\n", csv_with(header)).starts_with("m.mle:2:" + column + ":"));
    }
    // outside a product, only the look of the name gives it away
    CHECK(bind_text("y ~ normal(b0 + log(hieght), s)\n", csv_with({"height", "y"})) ==
          "m.mle:1:21: error: 'hieght' is not a column of d.csv but looks like its column 'height'; correct the "
          "name, or declare it with 'param hieght' if it is a parameter");
    // declared: a parameter by the user's word, with a warning
    CHECK(bind_text("param hieght\ny ~ normal(b0 + log(hieght), s)\n", csv_with({"height", "y"})) ==
          "m.mle:1:7: warning: parameter 'hieght' looks like column 'height' of d.csv; if you meant the column, "
          "correct the name");
    CHECK(bind_text("param b1, x3\ny ~ normal(b0 + b1*x3, s)\n", csv_with({"x1", "x2", "y"})) ==
          "m.mle:1:11: warning: parameter 'x3' looks like columns 'x1', 'x2' of d.csv; if you meant a column, "
          "correct the name");
}

TEST_CASE("products the data cannot split, and names used like columns, are errors unless declared") {
    const std::string csv = csv_with({"x", "y"});
    CHECK(bind_text("y ~ normal(a*b + x, s)\n", csv) ==
          "m.mle:1:12: error: in 'a*b', the data cannot tell 'a' and 'b' apart: rescaling them together leaves the "
          "likelihood unchanged; use one parameter for the product, or declare them with 'param a, b' if they are "
          "parameters");
    // one of them declared: the other is named
    CHECK(bind_text("param a\ny ~ normal(a*b + x, s)\n", csv)
              .ends_with("or declare it with 'param b' if it is a parameter"));
    CHECK(bind_text("param a, b\ny ~ normal(a*b + x, s)\n", csv) == "");
    // identifiable products stay legal
    CHECK(bind_text("y ~ normal(b1*z + b1*x, s)\n", csv) == "");
    CHECK(bind_text("y ~ normal(b * (1 - exp(-k * x)), s)\n", csv) == "");
    // with `data`: a free name multiplying something with parameters is used
    // like a column; multiplying data alone, it is a coefficient
    CHECK(bind_text("data x, y\ny ~ normal(b0 + b1*x + exp(c)*z, s)\n", csv) ==
          "m.mle:2:31: error: 'z' is not listed in 'data', so it is a parameter, but it is used like a column: in "
          "'exp(c)*z' it multiplies a term with parameters; correct the name if you meant a column, or declare it "
          "with 'param z' if it is a parameter");
    CHECK(bind_text("data x, y\ny ~ normal(b0 + b1*x + exp(c)*b1, s)\n", csv) == "");
    // phi multiplies a term with data: a precision, not a column
    CHECK(bind_text("data x, y\nmu = sigmoid(b0 + b1*x)\ny ~ beta(mu*phi, (1 - mu)*phi)\n",
                    "x,y\n1,0.2\n2,0.5\n3,0.7\n") == "");
    CHECK(bind_text("data x, y\nparam z\ny ~ normal(b0 + b1*x + exp(c)*z, s)\n", csv) == "");
    CHECK(bind_text("y ~ normal(b0 + b1*x + exp(c)*z, s)\n", csv) == "");  // without `data`: no rule 3
}

TEST_CASE("pi is the constant, and e, inf, NA, TRUE and the like are errors unless declared") {
    // y - pi has mean 0.5 + 1 + 2 ... : mu's MLE is mean(y) - pi
    mlec::Diagnostics ds;
    auto m = mlec::Model::from_text("y ~ normal(mu + pi, 1)\n", "m.mle", ds);
    auto d = mlec::Data::from_csv_text("y\n1\n2\n6\n", "d.csv", ds);
    REQUIRE(m);
    REQUIRE(d);
    auto p = mlec::Problem::bind(*m, *d, ds);
    REQUIRE(p);
    const mlec::FitResult r = mlec::fit(*p);
    REQUIRE(r.converged);
    CHECK(r.parameters.front().estimate == Approx(3 - std::numbers::pi).epsilon(1e-10));

    const std::string csv = csv_with({"x", "y"});
    CHECK(bind_text("y ~ normal(mu + sin(2*pi*x), s)\n", csv) == "");
    CHECK(bind_text("param s in (0, 2*pi)\ny ~ normal(mu, s)\n", csv) == "");
    CHECK(bind_text("param e\ny ~ normal(e*x, s)\n", csv) == "");  // declared, e is a parameter
    CHECK(bind_text("y ~ normal(e*x, s)\n", csv) ==
          "m.mle:1:12: error: 'e' is not a constant in mlec: write exp(1) for Euler's number; to name a parameter "
          "'e', declare it with 'param e'");
    for (const std::string name : {"inf", "Inf", "infinity", "nan", "NaN", "NA", "TRUE", "FALSE", "true", "false"}) {
        INFO(name);
        CHECK(bind_text("y ~ normal(mu + " + name + "*x, s)\n", csv)
                  .starts_with("m.mle:1:17: error: '" + name + "' is not a constant in mlec: "));
        CHECK(bind_text("param " + name + "\ny ~ normal(mu + " + name + "*x, s)\n", csv) == "");
    }
    CHECK(bind_text("param pi\ny ~ normal(pi, 1)\n", csv) ==
          "m.mle:1:7: error: 'pi' is the constant 3.14159...; it cannot be a parameter");
    CHECK(bind_text("y ~ normal(mu, s)\nreport pi = 2*mu\n", csv) ==
          "m.mle:2:8: error: 'pi' is the constant 3.14159...; it cannot be the name of a reported quantity");
}
