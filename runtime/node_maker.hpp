// How runtime code that builds graph nodes (a distribution's mean, for
// predictions) asks for them without knowing who builds the graph: the
// interpreter's Builder implements this interface, with its constant
// folding. (runtime/ uses no other layer, so it cannot name the Builder.)
#pragma once

#include <vector>

#include "runtime/op.hpp"

namespace mlec::rt {

class NodeMaker {
public:
    virtual ~NodeMaker() = default;
    // A constant node.
    virtual int constant(double value) = 0;
    // An op node over the given input nodes.
    virtual int op(const OpDef& op, std::vector<int> inputs) = 0;
};

}  // namespace mlec::rt
