# Fails when a folder includes a module it may not depend on (docs/architecture.md, "Modules").
#   config/    -> nothing of ours
#   media/     -> config/
#   signaling/ -> config/ (media only through its command API, added with the rooms)
#   bench/     -> media/, config/
set(rules
  "config|media/|signaling/|server/|bench/"
  "media|signaling/|server/|bench/"
  "signaling|server/|bench/"
  "bench|signaling/|server/")
set(violations "")
foreach(rule IN LISTS rules)
  string(REPLACE "|" ";" parts "${rule}")
  list(POP_FRONT parts folder)
  file(GLOB_RECURSE files ${SOURCE_DIR}/${folder}/*.h ${SOURCE_DIR}/${folder}/*.cpp)
  foreach(f IN LISTS files)
    file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS includes)
      foreach(forbidden IN LISTS parts)
        if(line MATCHES "\"${forbidden}")
          string(APPEND violations "${f}: ${line}\n")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "forbidden includes across modules:\n${violations}")
endif()
message(STATUS "layering ok")
