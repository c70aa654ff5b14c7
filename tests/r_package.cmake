# CTest script: install this build into a scratch prefix, install the R
# package in r/ against it (R CMD INSTALL from a copy, so the checkout stays
# clean; configure finds the library by its pkg-config file), and run the
# package's testthat tests. Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR,
# RSCRIPT, R_COMMAND, CLI.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/library")
file(COPY "${SOURCE_DIR}/r/" DESTINATION "${WORK_DIR}/package" PATTERN "Makevars" EXCLUDE PATTERN "*.o" EXCLUDE
     PATTERN "*.so" EXCLUDE)
include(GNUInstallDirs)
set(ENV{PKG_CONFIG_PATH} "${WORK_DIR}/install/${CMAKE_INSTALL_LIBDIR}/pkgconfig")
set(ENV{R_LIBS} "${WORK_DIR}/library")
set(ENV{MLEC_SOURCE_DIR} "${SOURCE_DIR}")
set(ENV{MLEC_CLI} "${CLI}")
set(tests "testthat::test_dir('${SOURCE_DIR}/r/tests/testthat', package = 'mlec', load_package = 'installed', reporter = 'summary', stop_on_failure = TRUE)")
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${WORK_DIR}/install"
    "${R_COMMAND};CMD;INSTALL;--no-multiarch;--library=${WORK_DIR}/library;${WORK_DIR}/package"
    "${RSCRIPT};-e;${tests}")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "${out}")
