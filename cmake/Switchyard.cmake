# Shared build settings for Switchyard's own targets.

if(SWITCHYARD_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "SWITCHYARD_FUZZ needs clang (configure with -DCMAKE_CXX_COMPILER=clang++)")
endif()

set(SWITCHYARD_SANITIZER_FLAGS "")
if(SWITCHYARD_SANITIZE)
  list(APPEND SWITCHYARD_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer)
endif()
if(SWITCHYARD_FUZZ)
  # Libraries get coverage instrumentation; only the fuzz executables link libFuzzer's main.
  list(APPEND SWITCHYARD_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()
add_compile_options(${SWITCHYARD_SANITIZER_FLAGS})
add_link_options(${SWITCHYARD_SANITIZER_FLAGS})

# switchyard_defaults(target): warnings and the Boost 1.74 + GCC 12 + C++20 workaround
# (asio/awaitable.hpp needs <utility> first, see docs/architecture.md).
function(switchyard_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wconversion -Wsign-conversion -Wshadow
                                           -include utility)
  # GCC 12 reports -Wrestrict inside libstdc++'s std::string operator+ and inserts that cannot
  # overlap (GCC bug 105329, fixed in GCC 13): off for GCC 12 only, clang still checks.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  target_compile_definitions(${target} PRIVATE BOOST_ASIO_NO_DEPRECATED)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
endfunction()

# switchyard_library(name folder): one static library from every .cpp below a folder.
function(switchyard_library name folder)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.cpp)
  add_library(${name} STATIC ${sources})
  switchyard_defaults(${name})
  target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
endfunction()
