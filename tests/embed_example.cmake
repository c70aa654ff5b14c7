# CTest script: install this build into a scratch prefix, build
# examples/embed against the installed package with find_package(mlec), and
# run it. Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR, CXX_COMPILER.
file(REMOVE_RECURSE "${WORK_DIR}")
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${WORK_DIR}/install"
    "${CMAKE_COMMAND};-S;${SOURCE_DIR}/examples/embed;-B;${WORK_DIR}/build;-DCMAKE_BUILD_TYPE=Release;-DCMAKE_CXX_COMPILER=${CXX_COMPILER};-DCMAKE_PREFIX_PATH=${WORK_DIR}/install"
    "${CMAKE_COMMAND};--build;${WORK_DIR}/build"
    "${WORK_DIR}/build/embed")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "${out}")
