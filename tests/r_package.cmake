# CTest script: install this build into a scratch prefix, install the R
# package in r/ against it (R CMD INSTALL from a copy, so the checkout stays
# clean; configure finds the library by its pkg-config file), and run the
# package's testthat tests. Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR,
# LIBDIR (the build's CMAKE_INSTALL_LIBDIR), RSCRIPT, R_COMMAND, CLI.
include(${CMAKE_CURRENT_LIST_DIR}/run_step.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/library")
file(COPY "${SOURCE_DIR}/r/" DESTINATION "${WORK_DIR}/package" PATTERN "Makevars" EXCLUDE PATTERN "*.o" EXCLUDE
     PATTERN "*.so" EXCLUDE)
set(ENV{PKG_CONFIG_PATH} "${WORK_DIR}/install/${LIBDIR}/pkgconfig")
set(ENV{R_LIBS} "${WORK_DIR}/library")
set(ENV{MLEC_SOURCE_DIR} "${SOURCE_DIR}")
set(ENV{MLEC_CLI} "${CLI}")
set(tests "testthat::test_dir('${SOURCE_DIR}/r/tests/testthat', package = 'mlec', load_package = 'installed', reporter = 'summary', stop_on_failure = TRUE)")
run_step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/install)
run_step(${R_COMMAND} CMD INSTALL --no-multiarch --library=${WORK_DIR}/library ${WORK_DIR}/package)
run_step(${RSCRIPT} -e "${tests}")
message(STATUS "${step_output}")
