# Dependency lookup: the system's packages first (find_package / pkg-config); a pinned
# FetchContent download only when a dependency is missing. On a machine with the Debian
# packages that scripts/setup installs, nothing is downloaded.
include(FetchContent)

macro(lemma_find_library_dependencies)
  find_package(Threads REQUIRED)

  find_package(CURL 7.68 QUIET)
  if(NOT CURL_FOUND)
    message(STATUS "lemma: libcurl not found on the system; fetching curl 8.11.1")
    set(BUILD_CURL_EXE OFF)
    set(BUILD_TESTING OFF)
    set(CURL_DISABLE_TESTS ON)
    FetchContent_Declare(lemma_curl
      URL https://curl.se/download/curl-8.11.1.tar.xz
      URL_HASH SHA256=c7ca7db48b0909743eaef34250da02c19bc61d4f1dcedd6603f109409536ab56)
    FetchContent_MakeAvailable(lemma_curl)
    if(NOT TARGET CURL::libcurl)
      add_library(CURL::libcurl ALIAS libcurl)
    endif()
    set(LEMMA_CURL_FETCHED ON)
  endif()

  find_package(nlohmann_json 3.11 QUIET)
  if(NOT nlohmann_json_FOUND AND NOT TARGET nlohmann_json::nlohmann_json)
    message(STATUS "lemma: nlohmann_json >= 3.11 not found on the system; fetching 3.11.3")
    set(JSON_BuildTests OFF)
    set(JSON_Install ON)
    FetchContent_Declare(lemma_nlohmann_json
      URL https://github.com/nlohmann/json/releases/download/v3.11.3/json.tar.xz
      URL_HASH SHA256=d6c65aca6b1ed68e7a182f4757257b107ae403032760ed6ef121c9d55e81757d)
    FetchContent_MakeAvailable(lemma_nlohmann_json)
  endif()

  lemma_find_boost_multiprecision()
endmacro()

# Boost.Multiprecision (header-only, Boost Software License) for lemma::math's exact big
# rationals and 50-digit floats. Used privately by lemma::math: consumers of the installed
# package never need Boost. Debian: libboost-dev. The fallback fetches the standalone
# Boost.Multiprecision repository (BOOST_MP_STANDALONE needs no other Boost library).
macro(lemma_find_boost_multiprecision)
  if(NOT DEFINED LEMMA_BOOST_INCLUDE_DIRS)
    find_path(LEMMA_BOOST_MP_HEADER boost/multiprecision/cpp_int.hpp)
    if(LEMMA_BOOST_MP_HEADER)
      set(LEMMA_BOOST_INCLUDE_DIRS "${LEMMA_BOOST_MP_HEADER}")
      set(LEMMA_BOOST_DEFINITIONS "")
    else()
      message(STATUS "lemma: Boost.Multiprecision not found on the system; fetching 1.83 (standalone)")
      FetchContent_Declare(lemma_boost_multiprecision
        URL https://github.com/boostorg/multiprecision/archive/refs/tags/Boost_1_83_0.tar.gz)
      FetchContent_Populate(lemma_boost_multiprecision)
      set(LEMMA_BOOST_INCLUDE_DIRS "${lemma_boost_multiprecision_SOURCE_DIR}/include")
      set(LEMMA_BOOST_DEFINITIONS "BOOST_MP_STANDALONE")
    endif()
  endif()
endmacro()

# cpp-httplib: the mock endpoint tool and test servers only. Debian ships it as a compiled
# library with a pkg-config file; upstream ships a header-only CMake package.
macro(lemma_find_httplib)
  if(NOT TARGET lemma_httplib)
    find_package(httplib CONFIG QUIET)
    if(TARGET httplib::httplib)
      add_library(lemma_httplib INTERFACE)
      target_link_libraries(lemma_httplib INTERFACE httplib::httplib)
    else()
      find_package(PkgConfig QUIET)
      if(PkgConfig_FOUND)
        pkg_check_modules(LEMMA_HTTPLIB_PC QUIET IMPORTED_TARGET cpp-httplib)
      endif()
      add_library(lemma_httplib INTERFACE)
      if(LEMMA_HTTPLIB_PC_FOUND)
        target_link_libraries(lemma_httplib INTERFACE PkgConfig::LEMMA_HTTPLIB_PC Threads::Threads)
      else()
        message(STATUS "lemma: cpp-httplib not found on the system; fetching 0.23.1")
        set(HTTPLIB_COMPILE OFF)
        set(HTTPLIB_REQUIRE_OPENSSL OFF)
        set(HTTPLIB_USE_OPENSSL_IF_AVAILABLE OFF)
        FetchContent_Declare(lemma_cpp_httplib
          URL https://github.com/yhirose/cpp-httplib/archive/refs/tags/v0.23.1.tar.gz
          URL_HASH SHA256=410a1347ed6bcbcc4a19af8ed8ad3873fe9fa97731d52db845c4c78f3f9c31e6)
        FetchContent_MakeAvailable(lemma_cpp_httplib)
        target_link_libraries(lemma_httplib INTERFACE httplib::httplib)
      endif()
    endif()
  endif()
endmacro()

macro(lemma_find_gtest)
  find_package(GTest QUIET)
  if(NOT TARGET GTest::gmock)
    message(STATUS "lemma: GoogleTest/GMock not found on the system; fetching 1.14.0")
    set(INSTALL_GTEST OFF)
    set(BUILD_GMOCK ON)
    FetchContent_Declare(lemma_googletest
      URL https://github.com/google/googletest/archive/refs/tags/v1.14.0.tar.gz
      URL_HASH SHA256=8ad598c73ad796e0d8280b082cebd82a630d73e73cd3c70057938a6501bba5d7)
    FetchContent_MakeAvailable(lemma_googletest)
  endif()
endmacro()

macro(lemma_find_benchmark)
  find_package(benchmark QUIET)
  if(NOT TARGET benchmark::benchmark)
    message(STATUS "lemma: Google Benchmark not found on the system; fetching 1.8.3")
    set(BENCHMARK_ENABLE_TESTING OFF)
    set(BENCHMARK_ENABLE_INSTALL OFF)
    FetchContent_Declare(lemma_benchmark
      URL https://github.com/google/benchmark/archive/refs/tags/v1.8.3.tar.gz
      URL_HASH SHA256=6bc180a57d23d4d9515519f92b0c83d61b05b5bab188961f36ac7b06b0d9e9ce)
    FetchContent_MakeAvailable(lemma_benchmark)
  endif()
endmacro()

# CLI11: the `lemma` command-line tool only (header-only; Debian's libcli11-dev).
macro(lemma_find_cli11)
  if(NOT TARGET CLI11::CLI11)
    find_package(CLI11 2.1 CONFIG QUIET)
  endif()
  if(NOT TARGET CLI11::CLI11)
    message(STATUS "lemma: CLI11 not found on the system; fetching 2.5.0")
    set(CLI11_PRECOMPILED OFF)
    set(CLI11_BUILD_TESTS OFF)
    set(CLI11_BUILD_EXAMPLES OFF)
    set(CLI11_BUILD_DOCS OFF)
    set(CLI11_INSTALL OFF)
    FetchContent_Declare(lemma_cli11
      URL https://github.com/CLIUtils/CLI11/archive/refs/tags/v2.5.0.tar.gz
      URL_HASH SHA256=17e02b4cddc2fa348e5dbdbb582c59a3486fa2b2433e70a0c3bacb871334fd55)
    FetchContent_MakeAvailable(lemma_cli11)
  endif()
endmacro()
