# Proves the installed SDK works for an application: installs the built SDK into a fresh prefix,
# then builds samples/consumer-tests (a client and its Catch2 tests against the testing kit) and
# runs its tests: through find_package(as3net), through find_package(as3net COMPONENTS static)
# with the static libraries, and through pkg-config; with -DADD_SUBDIRECTORY=ON once more with
# the SDK's source tree built along. Run by ctest with
#   -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -DSHARED=ON|OFF
#   -DPKGCONFIG_DIR=<prefix-relative dir of the .pc files> [-DADD_SUBDIRECTORY=ON]
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(consumer "${SOURCE_DIR}/samples/consumer-tests")

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGV}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# The consumer's tests print Catch2's summary; anything but "All tests passed" fails.
function(expect_tests_passed what)
  if(NOT last_output MATCHES "All tests passed")
    message(FATAL_ERROR "${what}: the consumer's tests did not pass:\n${last_output}")
  endif()
  message(STATUS "${what}: consumer tests passed")
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
# An application must not need the source tree or LD_LIBRARY_PATH: nothing below sets either.
unset(ENV{LD_LIBRARY_PATH})

# 1. find_package(as3net)
run(${CMAKE_COMMAND} -S "${consumer}" -B "${WORK_DIR}/cmake-build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/cmake-build")
run("${WORK_DIR}/cmake-build/lobby_client_tests")
expect_tests_passed("find_package")

# 1b. The static libraries (a shared build installs them beside the shared ones; a static build
# gives its own under the same names). The test binary must then not load libas3net at run time.
run(${CMAKE_COMMAND} -S "${consumer}" -B "${WORK_DIR}/cmake-static-build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DLINK_AS3NET_STATIC=ON)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/cmake-static-build")
run(readelf --dynamic "${WORK_DIR}/cmake-static-build/lobby_client_tests")
if(last_output MATCHES "libas3net")
  message(FATAL_ERROR "linked against the static libraries, yet needs a shared one:\n${last_output}")
endif()
run("${WORK_DIR}/cmake-static-build/lobby_client_tests")
expect_tests_passed("find_package(as3net COMPONENTS static)")

# 2. pkg-config, with no CMake on the consumer's side
set(ENV{PKG_CONFIG_PATH} "${prefix}/${PKGCONFIG_DIR}")
# A static library needs its private dependencies on the link line: pkg-config's --static.
set(pc_static "")
if(NOT SHARED)
  set(pc_static --static)
endif()
execute_process(COMMAND pkg-config ${pc_static} --cflags --libs as3net-testing
  RESULT_VARIABLE status OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pkg-config does not know as3net-testing (looked in $ENV{PKG_CONFIG_PATH})")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run(c++ -std=c++17 "${consumer}/LobbyClient.cpp" "${consumer}/LobbyClientTests.cpp"
    "${consumer}/main.cpp" -o "${WORK_DIR}/pc-consumer" ${flags})
run("${WORK_DIR}/pc-consumer")
expect_tests_passed("pkg-config")

# 3. add_subdirectory of the source tree
if(ADD_SUBDIRECTORY)
  run(${CMAKE_COMMAND} -S "${consumer}" -B "${WORK_DIR}/subdirectory-build" -G "${GENERATOR}"
      "-DAS3NET_SOURCE_DIR=${SOURCE_DIR}")
  run(${CMAKE_COMMAND} --build "${WORK_DIR}/subdirectory-build")
  run("${WORK_DIR}/subdirectory-build/lobby_client_tests")
  expect_tests_passed("add_subdirectory")
endif()
message(STATUS "installed package works through find_package (shared and static) and pkg-config")
