# Installs the built SDK into a fresh prefix, then builds and runs test/install/consumer twice:
# once through find_package(as3net), once through pkg-config. Run by ctest with
#   -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -DLIBDIR=... -DSHARED=ON|OFF
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGV}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

# find_package(as3net)
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/test/install/consumer" -B "${WORK_DIR}/cmake-build"
    -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${prefix}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/cmake-build")
run("${WORK_DIR}/cmake-build/consumer")
if(NOT last_output MATCHES "consumer ok")
  message(FATAL_ERROR "find_package consumer printed: ${last_output}")
endif()

# pkg-config
set(pc_dir "${prefix}/${LIBDIR}/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
# A static library needs its private dependencies on the link line: pkg-config's --static.
set(pc_static "")
if(NOT SHARED)
  set(pc_static --static)
endif()
execute_process(COMMAND pkg-config ${pc_static} --cflags --libs as3net
  RESULT_VARIABLE status OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pkg-config does not know as3net (looked in ${pc_dir})")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run(c++ -std=c++17 "${SOURCE_DIR}/test/install/consumer/main.cpp" -o "${WORK_DIR}/pc-consumer"
    ${flags})
run("${WORK_DIR}/pc-consumer")
if(NOT last_output MATCHES "consumer ok")
  message(FATAL_ERROR "pkg-config consumer printed: ${last_output}")
endif()
message(STATUS "installed package works through find_package and pkg-config")
