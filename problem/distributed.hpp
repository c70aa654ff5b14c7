// What binding a model to data needs when the rows are spread over several
// ranks (docs/distributed.md): agreeing on errors, group levels and row
// counts, and moving the few rows that make every rank's rows start at a
// block boundary. Written against rt::Collective, so none of it needs MPI.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "problem/impl.hpp"
#include "runtime/collective.hpp"

namespace mlec::problem {

// Diagnostics, and lists of strings, as bytes to send between ranks.
std::string encode(const Diagnostics& ds);
Diagnostics decode(std::string_view bytes);
std::string encode_strings(const std::vector<std::string>& strings);
std::vector<std::string> decode_strings(std::string_view bytes);

// Every rank learns whether any rank failed and, if so, gets the
// diagnostics of the lowest failing rank: ranks hold the file's rows in
// order, so that is the first error in file order, the one a single
// machine reports. `mine`: this rank's diagnostics if it failed, else
// nullptr. Returns nullopt when no rank failed.
std::optional<Diagnostics> first_failure(rt::Collective& c, const Diagnostics* mine);

// A step that may fail on some ranks: true when it failed on none. On
// failure `diagnostics` gets the first failure in file order (first_failure).
// Without a collective (one machine), this rank's own `ok` and `local`.
bool agree(rt::Collective* c, bool ok, const Diagnostics& local, Diagnostics& diagnostics);

// A group column's levels agreed by all ranks (the levels a single machine
// finds in the whole file), with this rank's rows coded by them.
std::optional<interp::Levels> agree_levels(rt::Collective& c, const data::Table& table, int column, bool missing_as_nan,
                                           Diagnostics& diagnostics);

// Places this rank's part (CsvFile::open_part with this rank's index) in
// the file from every part's shape: line and row numbers from the parts
// before it, and whether a later part has a row (if not, blank lines ending
// this part are the file's trailing ones). Returns its first row.
std::size_t place_part(rt::Collective& c, data::CsvFile& part);

// After each rank has its rows: the number of rows of all ranks, and this
// rank's first row among them.
struct RowCounts {
    std::size_t first_row = 0;
    std::size_t total_rows = 0;
    std::vector<std::size_t> rows_of_rank;
};
RowCounts count_rows(rt::Collective& c, std::size_t rows);

// Moves rows between neighbouring ranks so that each rank's rows start at a
// multiple of the evaluator's block size: then every block holds the rows
// it holds on one machine, and is computed to the same bits (vectorized
// code treats a row by its place in the block). Fewer than one block of
// rows moves per rank. `columns` are this rank's `rows` rows; afterwards
// they view the aligned rows (in `storage`, appended to a column's own
// buffer where it has room, or copied). Returns the counts before the move
// (rows_of_rank, first_row: where this rank's rows were) and sets
// `aligned_first_row` to where they are now.
RowCounts align_rows(rt::Collective& c, std::vector<std::span<const double>>& columns,
                     std::vector<std::vector<double>>& storage, std::size_t& rows, std::size_t block_rows,
                     std::size_t& aligned_first_row);

}  // namespace mlec::problem
