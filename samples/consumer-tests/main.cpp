// Catch2's main. Nothing else is needed: as3net's EventLoop ignores SIGPIPE itself.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
