// Bad input never crashes the mlec command: every malformed model or data
// file, however large, deep or badly encoded, ends with the documented exit
// code (README.md: 1 usage or file, 2 model, 3 data) and a first line of
// stderr naming the file, line and column ("file:line:col: error: ..."),
// never with a signal. The files are written at test time into a temporary
// directory and the command runs there, so the names in the messages are
// bare. Messages are compared whole: each was checked by hand against the
// input (the column counts characters, a UTF-8 byte-order mark is not one).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/command.hpp"
#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;

using Run = mlec::test::CommandRun;

const fs::path& work_dir() { return mlec::test::scratch_dir(); }

Run run_in(const fs::path& dir, const std::vector<std::string>& args) { return mlec::test::run_command(dir, args); }

void write(const std::string& name, const std::string& bytes) { mlec::test::write_scratch(name, bytes); }

// The outcome every case is held to.
void check_run(const Run& r, int exit_code, const std::string& first_line) {
    INFO(r.err.substr(0, 2000));
    CHECK_FALSE(r.signalled);
    CHECK(r.exit_code == exit_code);
    CHECK(r.first_line() == first_line);
}

// A model and a CSV, by content; `model` and `data` name the files written.
struct Case {
    const char* model_name;
    std::string model;
    const char* data_name;
    std::string data;
    int exit_code;
    std::string first_line;  // empty: nothing on stderr
};

Run run_case(const Case& c) {
    write(c.model_name, c.model);
    write(c.data_name, c.data);
    return run_in(work_dir(), {c.model_name, c.data_name});
}

void check_case(const Case& c) {
    INFO(c.model_name << " " << c.data_name);
    check_run(run_case(c), c.exit_code, c.first_line);
}

// Data that a normal model fits (sample mean 2.04, a finite MLE).
const std::string good_csv = "x,y\n1,1.1\n2,2.3\n3,0.7\n4,1.9\n5,4.2\n";
const std::string mean_model = "y ~ normal(mu, sigma)\n";

constexpr int ok = 0, usage = 1, model_error = 2, data_error = 3, no_maximum = 4;

}  // namespace

TEST_CASE("malformed models: exit code 2 and the position of the mistake") {
    const std::vector<Case> cases = {
        {"empty.mle", "", "d.csv", good_csv, model_error,
         "empty.mle: error: the model has no sampling statement ('~') and no 'target +=': there is nothing to fit"},
        {"comments.mle", "# only a comment\n\n   \n", "d.csv", good_csv, model_error,
         "comments.mle: error: the model has no sampling statement ('~') and no 'target +=': there is nothing to "
         "fit"},
        {"invalid_utf8.mle", "y ~ normal(mu\xFF, sigma)\n", "d.csv", good_csv, model_error,
         "invalid_utf8.mle:1:14: error: invalid UTF-8 byte 0xFF"},
        {"latin1.mle", "y ~ normal(caf\xE9, sigma)\n", "d.csv", good_csv, model_error,
         "latin1.mle:1:15: error: invalid UTF-8 byte 0xE9"},
        {"overlong.mle", "y ~ normal(mu, \xC0\xAF)\n", "d.csv", good_csv, model_error,
         "overlong.mle:1:16: error: invalid UTF-8 byte 0xC0"},
        {"truncated_utf8.mle", "y ~ normal(mu, sigma)\xE2\x82", "d.csv", good_csv, model_error,
         "truncated_utf8.mle:1:22: error: invalid UTF-8 byte 0xE2"},
        {"nul_byte.mle", std::string("y ~ normal(mu,\0 sigma)\n", 23), "d.csv", good_csv, model_error,
         "nul_byte.mle:1:15: error: unexpected character U+0000"},
        {"greek.mle", "y ~ normal(\xCE\xBC, sigma)\n", "d.csv", good_csv, model_error,
         "greek.mle:1:12: error: unexpected character '\xCE\xBC' (U+03BC; only comments may contain non-ASCII "
         "characters)"},
        // The byte-order mark is not a character: the column is what an editor shows.
        {"bom_error.mle", "\xEF\xBB\xBFy ~ normal(mu, sigma\n", "d.csv", good_csv, model_error,
         "bom_error.mle:1:21: error: expected ')' to close the call to 'normal' (opened at 1:11)"},
        {"crlf_error.mle", "param s > 0\r\ny ~ normal(mu, s) +\r\n", "d.csv", good_csv, model_error,
         "crlf_error.mle:2:19: error: expected end of statement after ')', found '+'"},
        {"unclosed_at_eof.mle", "y ~ normal(mu, (sigma", "d.csv", good_csv, model_error,
         "unclosed_at_eof.mle:1:22: error: expected ')' to close '(' (opened at 1:16)"},
        {"stray_paren.mle", "y ~ normal(mu, sigma))\n", "d.csv", good_csv, model_error,
         "stray_paren.mle:1:22: error: unexpected ')' with no matching '('"},
        {"declared_twice.mle", "param a\nparam a > 0\ny ~ normal(a, 1)\n", "d.csv", good_csv, model_error,
         "declared_twice.mle:2:7: error: parameter 'a' is declared twice (first at 1:7)"},
        // Found by fuzz_model (fuzz/corpus/model/crash_self_start.mle): a
        // parameter in its own start value, bound or size recursed until the
        // stack overflowed.
        {"crash_self_start.mle", "param W= W * [x, z]\ny ~ normal(h[1], 1)\n", "d.csv", good_csv, model_error,
         "crash_self_start.mle:1:10: error: the bounds, start value or size of 'W' depend on 'W' itself"},
        {"self_bound.mle", "param s > s\ny ~ normal(mu, s)\n", "d.csv", good_csv, model_error,
         "self_bound.mle:1:11: error: the bounds, start value or size of 's' depend on 's' itself"},
        {"self_size.mle", "param v[v]\ny ~ normal(v[1], 1)\n", "d.csv", good_csv, model_error,
         "self_size.mle:1:9: error: the bounds, start value or size of 'v' depend on 'v' itself"},
        {"start_cycle.mle", "param a = b, b = a\ny ~ normal(a + b, 1)\n", "d.csv", good_csv, model_error,
         "start_cycle.mle:1:11: error: the bounds, start value or size of 'b' depend on 'b' itself"},
        {"data_and_parameter.mle", "param x\ny ~ normal(x, 1)\n", "d.csv", good_csv, model_error,
         "data_and_parameter.mle:1:7: error: 'x' is declared as a parameter, but it is also a column of d.csv"},
        {"local_is_column.mle", "x = 2\ny ~ normal(x, 1)\n", "d.csv", good_csv, model_error,
         "local_is_column.mle:1:1: error: 'x' is a column of d.csv; a local definition cannot have a column's "
         "name"},
        {"missing_column.mle", "z ~ normal(mu, sigma)\n", "d.csv", good_csv, model_error,
         "missing_column.mle:1:1: error: 'z' is not a column of d.csv; did you mean 'x'?"},
        {"unknown_distribution.mle", "y ~ nromal(mu, sigma)\n", "d.csv", good_csv, model_error,
         "unknown_distribution.mle:1:5: error: unknown distribution 'nromal'; did you mean 'normal'?"},
        {"name_too_long.mle", "y ~ normal(" + std::string(256, 'a') + ", sigma)\n", "d.csv", good_csv, model_error,
         "name_too_long.mle:1:12: error: name too long (256 characters; at most 255)"},
        {"number_too_large.mle", "y ~ normal(1e400 * mu, sigma)\n", "d.csv", good_csv, model_error,
         "number_too_large.mle:1:12: error: number '1e400' is too large for a double"},
        {"malformed_number.mle", "y ~ normal(1.5e3x, sigma)\n", "d.csv", good_csv, model_error,
         "malformed_number.mle:1:12: error: malformed number '1.5e3x'"},
    };
    for (const Case& c : cases) check_case(c);
}

TEST_CASE("models that are unusual but fine fit (exit code 0)") {
    const std::vector<Case> cases = {
        {"bom.mle", "\xEF\xBB\xBF" + mean_model, "d.csv", good_csv, ok, ""},
        {"crlf.mle", "# a model\r\nparam sigma > 0\r\ny ~ normal(mu,\r\n           sigma)\r\n", "d.csv", good_csv, ok,
         ""},
        {"no_final_newline.mle", "y ~ normal(mu, sigma)", "d.csv", good_csv, ok, ""},
        {"latin1_comment.mle", "# caf\xE9 (Latin-1 in a comment)\n" + mean_model, "d.csv", good_csv, ok, ""},
        {"name_255.mle", "y ~ normal(" + std::string(255, 'm') + ", sigma)\n", "d.csv", good_csv, ok, ""},
        {"nested_200.mle", "y ~ normal(" + std::string(200, '(') + "mu" + std::string(200, ')') + ", sigma)\n", "d.csv",
         good_csv, ok, ""},
    };
    for (const Case& c : cases) check_case(c);
}

TEST_CASE("malformed data: exit code 3 and the data file's line and column") {
    const std::vector<Case> cases = {
        {"m.mle", mean_model, "empty.csv", "", data_error, "empty.csv: error: file is empty"},
        {"m.mle", mean_model, "bom_only.csv", "\xEF\xBB\xBF", data_error, "bom_only.csv: error: file is empty"},
        {"m.mle", mean_model, "header_only.csv", "x,y\n", data_error,
         "header_only.csv: error: no data rows after the header"},
        {"m.mle", mean_model, "header_no_newline.csv", "x,y", data_error,
         "header_no_newline.csv: error: no data rows after the header"},
        {"m.mle", mean_model, "header_blank_lines.csv", "x,y\n\n  \n\r\n", data_error,
         "header_blank_lines.csv: error: no data rows after the header"},
        {"m.mle", mean_model, "blank_first_line.csv", "\nx,y\n1,2\n", data_error,
         "blank_first_line.csv:1:1: error: line 1 should hold the column names, but it is empty"},
        {"m.mle", mean_model, "short_row.csv", "x,y\n1,1.5\n2\n3,2.5\n", data_error,
         "short_row.csv:3:2: error: row 2 has 1 field, but the header has 2"},
        {"m.mle", mean_model, "long_row.csv", "x,y\n1,1.5\n2,2.5,9\n3,2.5\n", data_error,
         "long_row.csv:3:7: error: row 2 has 3 fields, but the header has 2"},
        {"m.mle", mean_model, "blank_row.csv", "x,y\n1,1.5\n\n3,2.5\n", data_error,
         "blank_row.csv:3:1: error: row 2 is empty"},
        {"m.mle", mean_model, "duplicate_column.csv", "y,x,y\n1,2,3\n", data_error,
         "duplicate_column.csv:1:5: error: column 'y' appears twice in the header (first as column 1)"},
        {"m.mle", mean_model, "duplicate_quoted.csv", "\"y\",x, y \n1,2,3\n", data_error,
         "duplicate_quoted.csv:1:8: error: column 'y' appears twice in the header (first as column 1)"},
        {"m.mle", mean_model, "unnamed_column.csv", "x,,y\n1,2,3\n", data_error,
         "unnamed_column.csv:1:3: error: column 2 of the header has no name"},
        {"m.mle", mean_model, "trailing_comma.csv", "x,y,\n1,2,\n", data_error,
         "trailing_comma.csv:1:5: error: column 3 of the header has no name"},
        {"m.mle", mean_model, "unclosed_header.csv", "x,\"y\n1,2\n", data_error,
         "unclosed_header.csv:1:3: error: the quoted name of column 2 of the header is not closed on this line"},
        {"m.mle", mean_model, "unclosed_cell.csv", "x,y\n1,\"2\n2,3\n", data_error,
         "unclosed_cell.csv:2:3: error: row 1, column 'y': the quoted field is not closed on this line"},
        {"m.mle", mean_model, "after_quote.csv", "x,y\n1,\"2\"x\n2,3\n", data_error,
         "after_quote.csv:2:3: error: row 1, column 'y': expected a number, found '\"2\"x'"},
        {"m.mle", mean_model, "quoted_comma_number.csv", "x,y\n1,\"1,5\"\n2,3\n", data_error,
         "quoted_comma_number.csv:2:3: error: row 1, column 'y': expected a number, found '\"1,5\"'"},
        {"m.mle", mean_model, "inf.csv", "x,y\n1,1.5\n2,inf\n", data_error,
         "inf.csv:3:3: error: row 2, column 'y': 'inf' is not a finite number"},
        {"m.mle", mean_model, "minus_inf.csv", "x,y\n1,1.5\n2,-inf\n", data_error,
         "minus_inf.csv:3:3: error: row 2, column 'y': '-inf' is not a finite number"},
        {"m.mle", mean_model, "infinity.csv", "x,y\n1,1.5\n2, Infinity \n", data_error,
         "infinity.csv:3:4: error: row 2, column 'y': 'Infinity' is not a finite number"},
        {"m.mle", mean_model, "nan.csv", "x,y\n1,nan\n2,1.5\n", data_error,
         "nan.csv:2:3: error: row 1, column 'y': 'nan' is not a finite number"},
        {"m.mle", mean_model, "quoted_nan.csv", "x,y\n1,\"NaN\"\n2,1.5\n", data_error,
         "quoted_nan.csv:2:3: error: row 1, column 'y': '\"NaN\"' is not a finite number"},
        {"m.mle", mean_model, "overflow.csv", "x,y\n1,1.5\n2,1e400\n", data_error,
         "overflow.csv:3:3: error: row 2, column 'y': '1e400' is not a finite number"},
        {"m.mle", mean_model, "minus_overflow.csv", "x,y\n1,1.5\n2,-1e400\n", data_error,
         "minus_overflow.csv:3:3: error: row 2, column 'y': '-1e400' is not a finite number"},
        {"m.mle", mean_model, "hex.csv", "x,y\n1,0x1A\n", data_error,
         "hex.csv:2:3: error: row 1, column 'y': expected a number, found '0x1A'"},
        {"m.mle", mean_model, "two_points.csv", "x,y\n1,1.5.2\n", data_error,
         "two_points.csv:2:3: error: row 1, column 'y': expected a number, found '1.5.2'"},
        {"m.mle", mean_model, "two_signs.csv", "x,y\n1,+-3\n", data_error,
         "two_signs.csv:2:3: error: row 1, column 'y': expected a number, found '+-3'"},
        {"m.mle", mean_model, "missing.csv", "x,y\n1,1.5\n2,\n", data_error,
         "missing.csv:3:3: error: row 2, column 'y': missing value"},
        {"m.mle", mean_model, "na.csv", "x,y\n1,NA\n2,1.5\n", data_error,
         "na.csv:2:3: error: row 1, column 'y': missing value"},
        {"m.mle", mean_model, "invalid_utf8.csv", "x,y\n1,1.5\n2,\xFF\n", data_error,
         "invalid_utf8.csv:3:3: error: row 2, column 'y': expected a number, found '\\xFF'"},
        {"m.mle", mean_model, "latin1.csv", "x,y\n1,1.5\n2,caf\xE9\n", data_error,
         "latin1.csv:3:3: error: row 2, column 'y': expected a number, found 'caf\\xE9'"},
        {"m.mle", mean_model, "nul_cell.csv",
         std::string("x,y\n1,1.5\n2,\0"
                     "3\n",
                     15),
         data_error, "nul_cell.csv:3:3: error: row 2, column 'y': expected a number, found '\\x003'"},
        {"m.mle", mean_model, "utf8_cell.csv", "x,y\n1,1.5\n2,\xC2\xBD\n", data_error,
         "utf8_cell.csv:3:3: error: row 2, column 'y': expected a number, found '\xC2\xBD'"},
        {"m.mle", mean_model, "bom_duplicate.csv", "\xEF\xBB\xBFy,y\n1,2\n", data_error,
         "bom_duplicate.csv:1:3: error: column 'y' appears twice in the header (first as column 1)"},
        {"m.mle", mean_model, "crlf_error.csv", "x,y\r\n1,1.5\r\n2,abc\r\n", data_error,
         "crlf_error.csv:3:3: error: row 2, column 'y': expected a number, found 'abc'"},
        {"m.mle", mean_model, "cr_only.csv", "x,y\r1,1.5\r2,2.5\r", data_error,
         "cr_only.csv:1:4: error: carriage return (\\r) inside the header line: lines must end with \\n or "
         "\\r\\n"},
        // A broken row is an error even in a column the model does not use:
        // the fields after it could not be told apart.
        {"m.mle", mean_model, "unclosed_unused.csv", "x,y,z\n1,1.1,a\n2,2.3,\"b\n", data_error,
         "unclosed_unused.csv:3:7: error: row 2, column 'z': the quoted field is not closed on this line"},
        {"m.mle", mean_model, "crlf_short_row.csv", "x,y\r\n1,1.5\r\n2\r\n", data_error,
         "crlf_short_row.csv:3:2: error: row 2 has 1 field, but the header has 2"},
        {"bern.mle", "y ~ bernoulli(p)\n", "bernoulli.csv", "y\n0\n1\n0.5\n", data_error,
         "bernoulli.csv:4:1: error: row 3, column 'y': bernoulli outcome must be 0 or 1, found 0.5"},
        {"pois.mle", "y ~ poisson(lambda)\n", "poisson.csv", "y\n3\n-1\n", data_error,
         "poisson.csv:3:1: error: row 2, column 'y': poisson outcome must be a non-negative integer, found -1"},
    };
    for (const Case& c : cases) check_case(c);
}

TEST_CASE("data that are unusual but fine load and fit (exit code 0)") {
    const std::string rows = "1,1.1\n2,2.3\n3,0.7\n4,1.9\n5,4.2\n";
    const std::vector<Case> cases = {
        {"m.mle", mean_model, "bom.csv", "\xEF\xBB\xBFx,y\n" + rows, ok, ""},
        {"m.mle", mean_model, "crlf.csv", "x,y\r\n1,1.1\r\n2,2.3\r\n3,0.7\r\n4,1.9\r\n5,4.2\r\n", ok, ""},
        {"m.mle", mean_model, "bom_crlf.csv", "\xEF\xBB\xBFx,y\r\n1,1.1\r\n2,2.3\r\n3,0.7\r\n4,1.9\r\n5,4.2", ok, ""},
        {"m.mle", mean_model, "quoted.csv",
         "\"x\",\"y\",\"note, with \"\"quotes\"\"\"\n"
         "1,\"1.1\",\"a, b\"\n2, \"2.3\" ,\"\"\"\"\n3,0.7,\"say \"\"hi\"\", then go\"\n4,1.9,\n5,4.2,plain\n",
         ok, ""},
        {"m.mle", mean_model, "underflow.csv", "x,y\n1,1.1\n2,2.3\n3,1e-400\n4,1.9\n5,4.2\n", ok, ""},
        {"m.mle", mean_model, "trailing_blank_lines.csv", "x,y\n" + rows + "\n\n  \n", ok, ""},
        {"m.mle", mean_model, "bad_unused_column.csv", "x,y,z\n1,1.1,\xFF\n2,2.3,inf\n3,0.7,nan\n4,1.9,\n5,4.2,\x01\n",
         ok, ""},
        {"m.mle", mean_model, "latin1_unused_name.csv", "caf\xE9,y\n" + rows, ok, ""},
        {"m.mle", mean_model, "spaces.csv", " x , y \n1 , 1.1\n2,2.3 \n 3,0.7\n4,\t1.9\n5,+4.2\n", ok, ""},
        // A count may equal its n (the limit is inclusive).
        {"binomial.mle", "k ~ binomial(n, p)\n", "k_equals_n.csv", "k,n\n1,3\n3,3\n0,2\n", ok, ""},
    };
    for (const Case& c : cases) check_case(c);
}

TEST_CASE("compare, simulate and predict: each refusal has its own exit code and message") {
    // y is 1 exactly where x > 3: the logistic model diverges (separation),
    // the constant probability converges.
    write("sep.csv", "x,y\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n7,1\n");
    write("new.csv", "x\n2.5\n");
    write("p.mle", "y ~ bernoulli(p)\n");
    write("sep.mle", "y ~ bernoulli(sigmoid(a + b*x))\n");
    write("target.mle", "target += bernoulli_lpmf(y | p)\n");
    write("pos.csv", "x,y\n1,1.1\n2,2.3\n3,0.7\n4,1.9\n5,4.2\n");
    write("mean_y.mle", "y ~ normal(mu, sigma)\n");
    write("mean_x.mle", "x ~ normal(mu, sigma)\n");
    write("log_y.mle", "log(y) ~ normal(mu, sigma)\n");
    write("lognormal_y.mle", "y ~ lognormal(mu, sigma)\n");
    write("two.csv", "x,z,y\n1,0.3,1.1\n2,-0.2,2.3\n3,0.8,0.7\n4,0.1,1.9\n5,-0.5,4.2\n6,0.4,3.1\n");
    write("two.mle", "y ~ normal(a + b*x + c*z, sigma)\n");
    const std::string different =
        ": likelihoods of different outcomes cannot be compared (and a density of a transformed outcome, as in "
        "log(y) ~ normal(...), lacks the log-Jacobian that would make it a density of y, as y ~ lognormal(...) is)";
    struct Command {
        std::vector<std::string> args;
        int exit_code;
        std::string first_line;
    };
    const std::vector<Command> commands = {
        {{"simulate", "p.mle", "sep.csv", "--format", "json"},
         usage,
         "mlec: error: --format json is not available for simulate: it writes CSV"},
        {{"predict", "p.mle", "sep.csv", "new.csv", "--format", "json"},
         usage,
         "mlec: error: --format json is not available for predict: it writes CSV"},
        // The model cannot be simulated, though its fit converged.
        {{"simulate", "target.mle", "sep.csv"},
         model_error,
         "target.mle: error: cannot simulate 'target += bernoulli_lpmf(y | p)': only sampling statements with one "
         "distribution can be simulated"},
        {{"simulate", "sep.mle", "sep.csv"},
         no_maximum,
         "sep.mle: error: the fit's status is diverged, not converged: there is no estimate to simulate from"},
        {{"predict", "sep.mle", "sep.csv", "new.csv"},
         no_maximum,
         "new.csv: error: the fit did not converge or has no covariance: there is nothing to predict from"},
        // A column the prediction reads and the new data lack: not NaN
        // predictions, a named error.
        {{"predict", "two.mle", "two.csv", "new.csv"},
         data_error,
         "new.csv: error: cannot predict y_expected: it reads column 'z', which the new data do not have"},
        {{"compare", "mean_y.mle", "mean_x.mle", "pos.csv"},
         model_error,
         "mean_x.mle: error: models 'x', but mean_y.mle models 'y'" + different},
        {{"compare", "lognormal_y.mle", "log_y.mle", "pos.csv"},
         model_error,
         "log_y.mle: error: models 'log(y)', but lognormal_y.mle models 'y'" + different},
        {{"compare", "p.mle", "sep.mle", "sep.csv"}, no_maximum, ""},
        {{"simulate", "p.mle", "sep.csv"}, ok, ""},
    };
    for (const Command& c : commands) {
        INFO(c.args[0] << " " << c.args[1] << " " << c.args[2]);
        check_run(run_in(work_dir(), c.args), c.exit_code, c.first_line);
    }
}

TEST_CASE("files that cannot be read: exit code 1") {
    write("m.mle", mean_model);
    write("d.csv", good_csv);
    fs::create_directories(work_dir() / "a_directory");
    check_run(run_in(work_dir(), {"no_such_model.mle", "d.csv"}), usage,
              "no_such_model.mle: error: cannot open model file");
    check_run(run_in(work_dir(), {"a_directory", "d.csv"}), usage,
              "a_directory: error: cannot open model file: it is a directory");
    const Run missing_data = run_in(work_dir(), {"m.mle", "no_such_data.csv"});
    CHECK_FALSE(missing_data.signalled);
    CHECK(missing_data.exit_code == usage);
    CHECK(missing_data.first_line().starts_with("no_such_data.csv: error: cannot open file: "));
}

TEST_CASE("an expression nested 100,000 deep is refused at level 257, without a stack overflow") {
    constexpr int depth = 100'000;
    // "y ~ normal(" is 11 characters and its '(' is level 1: level 257 is
    // the 256th bracket or sign after it, at column 11 + 256 = 267.
    const std::string prefix = "y ~ normal(";
    const std::vector<Case> cases = {
        {"deep_parens.mle", prefix + std::string(depth, '(') + "mu" + std::string(depth, ')') + ", sigma)\n", "d.csv",
         good_csv, model_error, "deep_parens.mle:1:267: error: expression nested too deeply (more than 256 levels)"},
        {"deep_minus.mle", prefix + std::string(depth, '-') + "mu, sigma)\n", "d.csv", good_csv, model_error,
         "deep_minus.mle:1:267: error: expression nested too deeply (more than 256 levels)"},
        {"deep_brackets.mle", prefix + std::string(depth, '[') + "mu" + std::string(depth, ']') + ", sigma)\n", "d.csv",
         good_csv, model_error, "deep_brackets.mle:1:267: error: expression nested too deeply (more than 256 levels)"},
        {"deep_powers.mle",
         "y ~ normal(mu" +
             [] {
                 std::string s;
                 for (int i = 0; i < depth; ++i) s += "^mu";
                 return s;
             }() +
             ", sigma)\n",
         "d.csv", good_csv, model_error,
         // '^' chains are right-recursive: the k-th '^' is at column 14 + 3 (k - 1)
         // and level 1 + k, so level 257 is the 256th.
         "deep_powers.mle:1:" + std::to_string(14 + 3 * 255) +
             ": error: expression nested too deeply (more than 256 levels)"},
    };
    for (const Case& c : cases) {
        const Run r = run_case(c);
        check_run(r, c.exit_code, c.first_line);
        CHECK(r.err.size() < 2000);  // the 200,000-character line is shown as a window
    }
    // Alternating "-(" mixes both kinds of level.
    std::string mixed = prefix;
    for (int i = 0; i < depth / 2; ++i) mixed += "-(";
    mixed += "mu" + std::string(depth / 2, ')') + ", sigma)\n";
    check_case({"deep_mixed.mle", mixed, "d.csv", good_csv, model_error,
                "deep_mixed.mle:1:267: error: expression nested too deeply (more than 256 levels)"});
    // A long flat sum is a loop in the parser but a deep tree after it.
    std::string sum = "y ~ normal(mu";
    for (int i = 0; i < depth; ++i) sum += " + mu";
    sum += ", sigma)\n";
    const Run flat = run_case({"long_sum.mle", sum, "d.csv", good_csv, model_error, ""});
    check_run(flat, model_error,
              "long_sum.mle:1:12: error: expression too long (more than 2048 operations in a chain); split it into "
              "local definitions");
    CHECK(flat.err.size() < 2000);
}

TEST_CASE("a 1 MB identifier or number gives a short message naming its position") {
    const std::string big(1 << 20, 'a');
    const std::string digits(1 << 20, '7');
    const std::vector<Case> cases = {
        {"big_name.mle", "y ~ normal(" + big + ", sigma)\n", "d.csv", good_csv, model_error,
         "big_name.mle:1:12: error: name too long (1048576 characters; at most 255)"},
        {"big_name_line2.mle", "param sigma > 0\ny ~ normal(mu, sigma) + " + big + "\n", "d.csv", good_csv, model_error,
         "big_name_line2.mle:2:25: error: name too long (1048576 characters; at most 255)"},
        {"big_number.mle", "y ~ normal(" + digits + ", sigma)\n", "d.csv", good_csv, model_error,
         "big_number.mle:1:12: error: number '" + std::string(60, '7') + "...' is too large for a double"},
        {"big_malformed.mle", "y ~ normal(" + digits + "x, sigma)\n", "d.csv", good_csv, model_error,
         "big_malformed.mle:1:12: error: malformed number '" + std::string(60, '7') + "...'"},
    };
    for (const Case& c : cases) {
        const Run r = run_case(c);
        check_run(r, c.exit_code, c.first_line);
        CHECK(r.err.size() < 2000);
    }
}

TEST_CASE("a 100 MB line in the data gives a short message naming its position") {
    constexpr std::size_t mb100 = std::size_t{100} << 20;
    // A data row whose cell is 100 MB of digits: too large for a double.
    {
        std::string csv = "x,y\n1,1.5\n2,";
        csv.append(mb100, '7');
        csv += "\n3,2.5\n";
        const Run r = run_case({"m.mle", mean_model, "long_row.csv", std::move(csv), data_error, ""});
        check_run(
            r, data_error,
            "long_row.csv:3:3: error: row 2, column 'y': '" + std::string(30, '7') + "...' is not a finite number");
        CHECK(r.err.size() < 2000);
    }
    // A header whose second column has a 100 MB name and whose third has none.
    {
        std::string csv = "y,";
        csv.append(mb100, 'c');
        csv += ",,z\n1,2,3,4\n";
        const Run r = run_case({"m.mle", mean_model, "long_header.csv", std::move(csv), data_error, ""});
        check_run(r, data_error,
                  "long_header.csv:1:" + std::to_string(mb100 + 4) + ": error: column 3 of the header has no name");
        CHECK(r.err.size() < 2000);
    }
    // An unused column with a 100 MB name does not stop the fit (nor slow
    // it: no edit distance to it is computed).
    {
        std::string csv = "y,";
        csv.append(mb100, 'c');
        csv += "\n1.1,1\n2.3,2\n0.7,3\n1.9,4\n4.2,5\n";
        check_run(run_case({"m.mle", mean_model, "long_name.csv", std::move(csv), ok, ""}), ok, "");
    }
    fs::remove(work_dir() / "long_name.csv");
    fs::remove(work_dir() / "long_row.csv");
    fs::remove(work_dir() / "long_header.csv");
}

TEST_CASE("every error case in tests/cases gives the same first line through the command") {
    // The golden tests call the library; this runs the command on the same
    // files, so each error also has the right exit code and no crash.
    const fs::path dir = mlec::test::source_dir() / "tests/cases";
    std::vector<fs::path> models;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".mle") models.push_back(e.path());
    std::sort(models.begin(), models.end());
    int errors = 0;
    for (const fs::path& mle : models) {
        fs::path expect = mle, csv = mle;
        expect.replace_extension(".expect");
        csv.replace_extension(".csv");
        if (!fs::exists(csv)) csv = dir / "default.csv";
        const std::string expected = mlec::test::read_file(expect);
        const std::string first = expected.substr(0, expected.find('\n'));
        if (first.find(": error: ") == std::string::npos) continue;  // warnings: the fit decides the code
        ++errors;
        INFO(mle.filename().string());
        // A data error is at a cell of the CSV file, or, when what is checked
        // is an expression of several columns, at the model, naming the row.
        const std::string csv_name = csv.filename().string();
        const bool data = first.starts_with(csv_name) || (first.find(": error: row ") != std::string::npos &&
                                                          first.find(" of " + csv_name + ": ") != std::string::npos);
        const int code = data ? data_error : model_error;
        std::vector<std::string> args{mle.filename().string(), csv.filename().string()};
        // (bound with --reml, as the golden test binds them)
        if (mle.filename().string().find("reml_") != std::string::npos) args.insert(args.begin(), "--reml");
        check_run(run_in(dir, args), code, first);
    }
    CHECK(errors >= 80);
}
