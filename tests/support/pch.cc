// test_pch compiles the tests' precompiled header (tests/CMakeLists.txt); this file is its
// one source, which CMake needs to build it.
