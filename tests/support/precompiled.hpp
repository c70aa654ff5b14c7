// The headers nearly every test file parses, compiled once per build as a
// precompiled header (tests/CMakeLists.txt): Catch2's single header, Eigen
// and mlec's public API take about 4 s of each test file's compile, and CI
// builds the suite twice within its time limit. Each test file still
// includes what it uses; this list only makes that cheaper.
#pragma once

#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"
