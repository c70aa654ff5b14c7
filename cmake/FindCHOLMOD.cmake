# Finds CHOLMOD, SuiteSparse's sparse Cholesky factorization (Debian's
# libsuitesparse-dev, which ships neither a CMake package nor a pkg-config
# file; mlec includes its header as <suitesparse/cholmod.h>). Defines the
# imported target CHOLMOD::CHOLMOD. The shared library brings the orderings
# it calls (AMD, COLAMD, CAMD, CCOLAMD, METIS) and BLAS/LAPACK itself; a
# static one would need them named here.
find_path(CHOLMOD_INCLUDE_DIR suitesparse/cholmod.h)
find_library(CHOLMOD_LIBRARY cholmod)
find_library(CHOLMOD_SUITESPARSECONFIG_LIBRARY suitesparseconfig)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CHOLMOD REQUIRED_VARS CHOLMOD_LIBRARY CHOLMOD_SUITESPARSECONFIG_LIBRARY
                                                        CHOLMOD_INCLUDE_DIR)
mark_as_advanced(CHOLMOD_INCLUDE_DIR CHOLMOD_LIBRARY CHOLMOD_SUITESPARSECONFIG_LIBRARY)
if(CHOLMOD_FOUND AND NOT TARGET CHOLMOD::CHOLMOD)
  add_library(CHOLMOD::CHOLMOD UNKNOWN IMPORTED)
  set_target_properties(CHOLMOD::CHOLMOD PROPERTIES
    IMPORTED_LOCATION "${CHOLMOD_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CHOLMOD_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${CHOLMOD_SUITESPARSECONFIG_LIBRARY}")
endif()
