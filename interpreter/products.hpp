// Products of parameters in a model, and the parameters that the data
// cannot tell apart because a rescaling of them changes no value of the
// model: in `b0 + b1*x3`, with x3 not a column, b1 -> c*b1 and x3 -> x3/c
// give the same likelihood for every c, so only the product is estimable.
// This is how a mistyped column in a product shows itself even when the
// typo looks like nothing in the header.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "grammar/ast.hpp"

namespace mlec::interp {

// A parameter multiplied into a product (power 1) or divided (power -1).
struct Factor {
    std::string name;
    Span span;
    int power = 1;
};

// A maximal chain of '*' and '/' (signs looked through): `-b1*x3/2`.
struct Product {
    Span span;
    std::vector<Factor> parameters;        // the factors that are parameter names, in order
    std::vector<const ast::Expr*> others;  // every other factor (data, constants, calls, sums, ...)
};

struct ProductUses {
    std::vector<Product> products;  // in the order of the model's text
    // Parameters used somewhere other than as a factor of a product: alone,
    // in a sum, as an argument, indexed. Their scale is fixed by that use.
    std::set<std::string> fixed;
};

// The products of the statements that make up the likelihood (`~`, `=`,
// `target +=`; not `param`, `data` or `report`). `is_parameter` tells which
// names are parameters; a local's name is not one (its definition is a
// statement of its own).
ProductUses product_uses(const ast::Model& model, const std::function<bool(const std::string&)>& is_parameter);

// The parameters that some rescaling (each multiplied by its own positive
// number, not all 1) leaves every product and every other use unchanged:
// those whose log-scales are not forced to 0 by the linear system "a fixed
// parameter's log-scale is 0; the powers times the log-scales of each
// product's parameters sum to 0". Conservative: a use it does not model
// (a^2, exp(a)) counts as fixing the scale, so every name it returns is
// truly not identified by the data.
std::set<std::string> scale_free(const ProductUses& uses);

}  // namespace mlec::interp
