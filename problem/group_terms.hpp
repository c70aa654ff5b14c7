// Binding's part of the group-level terms (`target += ... per g`,
// interp::GroupTerm): their multiplier columns, and the check that what
// they use is the same on every row of a level.
#pragma once

#include "mlec/diagnostic.hpp"
#include "problem/impl.hpp"

namespace mlec::problem {

// Fills each group-level term's multiplier column (1 on the first row of
// each level in file order over all ranks, 0 elsewhere), after rows with
// missing values were dropped and before a distributed read moves rows
// between ranks (the column moves with the others). Then checks that every
// other data column the term uses is constant within each level: false
// after adding the error for a row where one is not (on every rank).
bool bind_group_terms(Problem::Impl& p, const data::Table& csv, rt::Collective* cluster, Diagnostics& diagnostics);

}  // namespace mlec::problem
