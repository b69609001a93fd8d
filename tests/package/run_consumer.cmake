# Configures, builds and runs a consumer project. Arguments (-D):
#   MODE=install|fetchcontent, LEMMA_BUILD_DIR, LEMMA_SOURCE_DIR, WORK_DIR, GENERATOR,
#   CXX_COMPILER, CXX_FLAGS, LINKER_FLAGS
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "command failed (${result}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

set(common -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX_COMPILER} "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
           "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}" -DCMAKE_BUILD_TYPE=Debug)
if(MODE STREQUAL "install")
  run(${CMAKE_COMMAND} --install "${LEMMA_BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
  if(NOT EXISTS "${WORK_DIR}/prefix/include/lemma/lemma.hpp" OR
     NOT EXISTS "${WORK_DIR}/prefix/include/lemma/version.hpp")
    message(FATAL_ERROR "headers were not installed")
  endif()
  run(${CMAKE_COMMAND} -S "${LEMMA_SOURCE_DIR}/tests/package/consumer" -B "${WORK_DIR}/build"
      ${common} "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
else()
  run(${CMAKE_COMMAND} -S "${LEMMA_SOURCE_DIR}/tests/package/fetchcontent_consumer" -B "${WORK_DIR}/build"
      ${common} "-DLEMMA_SOURCE_DIR=${LEMMA_SOURCE_DIR}" -DFETCHCONTENT_FULLY_DISCONNECTED=ON)
endif()
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build" --parallel 2)
run("${WORK_DIR}/build/consumer")
run("${WORK_DIR}/build/math_consumer")
run("${WORK_DIR}/build/math_runs_consumer")
