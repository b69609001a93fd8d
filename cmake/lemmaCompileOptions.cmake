# Warnings and sanitizers for lemma's own targets only: nothing here touches a consumer's flags.

function(lemma_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                             -Wold-style-cast -Wcast-align -Woverloaded-virtual)
    if(LEMMA_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  elseif(MSVC)
    target_compile_options(${target} PRIVATE /W4)
    if(LEMMA_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  endif()
endfunction()

# Flags that every lemma-built binary (library, tests, tools) must share for sanitizers to work.
set(LEMMA_SANITIZER_FLAGS "")
if(LEMMA_SANITIZE)
  string(REPLACE "," ";" _lemma_sanitizers "${LEMMA_SANITIZE}")
  foreach(_san IN LISTS _lemma_sanitizers)
    list(APPEND LEMMA_SANITIZER_FLAGS "-fsanitize=${_san}")
  endforeach()
  list(APPEND LEMMA_SANITIZER_FLAGS -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()
# Fuzzing instruments every lemma target, the library first: coverage (fuzzer-no-link) guides
# libFuzzer through lemma's own code, and ASan/UBSan catch what it finds there. The fuzz binaries
# add -fsanitize=fuzzer at link time (tests/fuzz/CMakeLists.txt).
if(LEMMA_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LEMMA_BUILD_FUZZERS needs clang (configure with -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  list(APPEND LEMMA_SANITIZER_FLAGS -fsanitize=fuzzer-no-link,address,undefined
       -fno-omit-frame-pointer -fno-sanitize-recover=all)
  list(REMOVE_DUPLICATES LEMMA_SANITIZER_FLAGS)
endif()

function(lemma_set_sanitizers target)
  if(LEMMA_SANITIZER_FLAGS)
    target_compile_options(${target} PRIVATE ${LEMMA_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${LEMMA_SANITIZER_FLAGS})
  endif()
endfunction()

# One call for every lemma-owned target.
function(lemma_configure_target target)
  lemma_set_warnings(${target})
  lemma_set_sanitizers(${target})
  target_compile_features(${target} PRIVATE cxx_std_17)
endfunction()

# One call for each installed lemma library: ABI version, hidden symbols (only the export
# macros publish), PIC for shared consumers, and the warnings and sanitizers above.
function(lemma_configure_library target)
  set_target_properties(${target} PROPERTIES
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  lemma_set_warnings(${target})
  lemma_set_sanitizers(${target})
endfunction()
