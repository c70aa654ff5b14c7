// Owning handles for CHOLMOD's objects (SuiteSparse's sparse Cholesky
// library, whose analysis runtime/supernodes uses). Each object is freed
// through the cholmod_common that made it, so the common must outlive its
// objects. Included only by the .cpp files that call CHOLMOD: the rest of
// mlec never sees its headers.
#pragma once

#include <suitesparse/cholmod.h>

namespace mlec::rt {

// CHOLMOD's settings and workspace. CHOLMOD reports a failure by printing
// and calling an error handler, as its print level says; here it is silent
// (print = 0, no handler) and every failure is read from `status` instead:
// the library never prints.
class CholmodCommon {
public:
    CholmodCommon() {
        cholmod_start(&common_);
        common_.print = 0;
        common_.error_handler = nullptr;
    }
    ~CholmodCommon() { cholmod_finish(&common_); }
    CholmodCommon(const CholmodCommon&) = delete;
    CholmodCommon& operator=(const CholmodCommon&) = delete;

    cholmod_common* get() { return &common_; }
    const cholmod_common* get() const { return &common_; }

private:
    cholmod_common common_;
};

// A CHOLMOD object owned through `free`, as std::unique_ptr would own it
// if its deleter did not need the common.
template <class T, int (*free)(T**, cholmod_common*)>
class CholmodHandle {
public:
    CholmodHandle(T* object, CholmodCommon& common) : object_(object), common_(&common) {}
    ~CholmodHandle() { reset(nullptr); }
    CholmodHandle(const CholmodHandle&) = delete;
    CholmodHandle& operator=(const CholmodHandle&) = delete;

    void reset(T* object) {
        if (object_ != nullptr) free(&object_, common_->get());
        object_ = object;
    }
    T* get() const { return object_; }
    T* operator->() const { return object_; }
    explicit operator bool() const { return object_ != nullptr; }

private:
    T* object_;
    CholmodCommon* common_;
};

using CholmodSparse = CholmodHandle<cholmod_sparse, cholmod_free_sparse>;
using CholmodFactor = CholmodHandle<cholmod_factor, cholmod_free_factor>;

}  // namespace mlec::rt
