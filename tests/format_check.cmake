# Fails when a C++ file of ours is not formatted per .clang-format (fix: clang-format -i FILE).
file(GLOB_RECURSE files
  ${SOURCE_DIR}/config/*.h ${SOURCE_DIR}/config/*.cpp ${SOURCE_DIR}/media/*.h ${SOURCE_DIR}/media/*.cpp
  ${SOURCE_DIR}/signaling/*.h ${SOURCE_DIR}/signaling/*.cpp ${SOURCE_DIR}/server/*.h ${SOURCE_DIR}/server/*.cpp
  ${SOURCE_DIR}/bench/*.h ${SOURCE_DIR}/bench/*.cpp ${SOURCE_DIR}/tests/*.h ${SOURCE_DIR}/tests/*.cpp)
list(FILTER files EXCLUDE REGEX "/node_modules/")
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files}
                RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  string(REGEX MATCHALL "[^\n]*error: code should be clang-formatted[^\n]*" lines "${errors}")
  list(JOIN lines "\n" text)
  message(FATAL_ERROR "files not formatted (run clang-format -i on them):\n${text}")
endif()
list(LENGTH files count)
message(STATUS "${count} files formatted")
