#include <catch2/catch.hpp>

#include <string>
#include <type_traits>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/Error.h"
#include "as3/errors/IOError.h"
#include "as3/errors/IllegalOperationError.h"
#include "as3/errors/MemoryError.h"
#include "as3/errors/RangeError.h"
#include "as3/errors/ReferenceError.h"
#include "as3/errors/SecurityError.h"
#include "as3/errors/TypeError.h"
#include "as3/utils/ByteArray.h"

using namespace as3::errors;

TEST_CASE("Error has AS3's defaults, toString and what", "[errors]") {
  Error empty;
  CHECK(empty.errorID() == 0);
  CHECK(empty.message().empty());
  CHECK(empty.name() == "Error");
  CHECK(empty.toString() == "Error");
  CHECK(std::string(empty.what()) == "Error");
  CHECK_FALSE(empty.getStackTrace().has_value());

  Error full("Error #2030: End of file was encountered.", 2030);
  CHECK(full.errorID() == 2030);
  CHECK(full.toString() == "Error: Error #2030: End of file was encountered.");
  CHECK(std::string(full.what()) == full.toString());
}

TEST_CASE("Top-level error classes report their own name", "[errors]") {
  CHECK(ArgumentError("x").toString() == "ArgumentError: x");
  CHECK(RangeError("x").toString() == "RangeError: x");
  CHECK(TypeError("x").toString() == "TypeError: x");
  CHECK(SecurityError("x").toString() == "SecurityError: x");
  CHECK(ReferenceError("x").toString() == "ReferenceError: x");
  CHECK(ArgumentError().toString() == "ArgumentError");
}

TEST_CASE("flash.errors classes print as Error, Flash's name quirk", "[errors]") {
  CHECK(IOError("Error #2002: Operation attempted on invalid socket.", 2002).toString() ==
        "Error: Error #2002: Operation attempted on invalid socket.");
  CHECK(EOFError("Error #2030: End of file was encountered.", 2030).toString() ==
        "Error: Error #2030: End of file was encountered.");
  CHECK(IllegalOperationError("x").name() == "Error");
  CHECK(MemoryError("x").name() == "Error");
}

TEST_CASE("Error classes keep AS3's hierarchy", "[errors]") {
  STATIC_REQUIRE(std::is_base_of_v<std::exception, Error>);
  STATIC_REQUIRE(std::is_base_of_v<Error, ArgumentError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, RangeError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, TypeError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, SecurityError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, ReferenceError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, IOError>);
  STATIC_REQUIRE(std::is_base_of_v<IOError, EOFError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, IllegalOperationError>);
  STATIC_REQUIRE(std::is_base_of_v<Error, MemoryError>);
  // Thrown across the shared library boundary, an EOFError is caught as an IOError.
  as3::utils::ByteArray empty;
  CHECK_THROWS_AS(empty.readInt(), IOError);
}

TEST_CASE("message and name are writable, as in AS3", "[errors]") {
  RangeError e("first", 7);
  e.message("second");
  CHECK(e.toString() == "RangeError: second");
  e.name("Custom");
  CHECK(e.toString() == "Custom: second");
  CHECK(std::string(e.what()) == "Custom: second");
  e.message("");
  CHECK(e.toString() == "Custom");
  CHECK(e.errorID() == 7);
}

TEST_CASE("Errors the SDK throws carry the table's class, id and text", "[errors]") {
  as3::utils::ByteArray bytes;
  try {
    bytes.readByte();
    FAIL("readByte on an empty array did not throw");
  } catch (const EOFError& e) {
    CHECK(e.errorID() == 2030);
    CHECK(e.message() == "Error #2030: End of file was encountered.");
    CHECK(e.toString() == "Error: Error #2030: End of file was encountered.");
  }
  try {
    bytes.objectEncoding(1);
    FAIL("objectEncoding(1) did not throw");
  } catch (const ArgumentError& e) {
    CHECK(e.errorID() == 2008);
    CHECK(e.message() ==
          "Error #2008: Parameter objectEncoding must be one of the accepted values.");
  }
  try {
    bytes.writeUTF(std::string(65536, 'a'));
    FAIL("writeUTF over 65535 bytes did not throw");
  } catch (const RangeError& e) {
    CHECK(e.errorID() == 2006);
    CHECK(e.message() == "Error #2006: The supplied index is out of bounds.");
    CHECK(e.toString() == "RangeError: Error #2006: The supplied index is out of bounds.");
  }
}
