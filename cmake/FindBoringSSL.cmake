# FindBoringSSL: Debian's android-libboringssl-dev, and nothing else.
#
# The system OpenSSL 3 installs the same header and library names one folder up, so this module
# searches only the android/ folders and refuses headers that do not define OPENSSL_IS_BORINGSSL.
#
# Result: BoringSSL::Crypto and BoringSSL::SSL (imported; SSL links Crypto), BoringSSL_FOUND,
# BoringSSL_INCLUDE_DIR, BoringSSL_LIBRARY_DIR. Both targets carry an rpath to the android/ folder,
# because the dynamic loader does not search it: binaries and installed consumers then run without
# LD_LIBRARY_PATH.

include(FindPackageHandleStandardArgs)

if(CMAKE_LIBRARY_ARCHITECTURE)
  set(_boringssl_arch_lib "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android")
else()
  set(_boringssl_arch_lib "")
endif()

find_path(BoringSSL_INCLUDE_DIR
  NAMES openssl/base.h
  PATHS /usr/include/android
  NO_DEFAULT_PATH)
find_library(BoringSSL_SSL_LIBRARY
  NAMES ssl
  PATHS ${_boringssl_arch_lib} /usr/lib/android
  NO_DEFAULT_PATH)
find_library(BoringSSL_CRYPTO_LIBRARY
  NAMES crypto
  PATHS ${_boringssl_arch_lib} /usr/lib/android
  NO_DEFAULT_PATH)

set(_boringssl_is_boringssl FALSE)
if(BoringSSL_INCLUDE_DIR AND EXISTS "${BoringSSL_INCLUDE_DIR}/openssl/base.h")
  file(STRINGS "${BoringSSL_INCLUDE_DIR}/openssl/base.h" _boringssl_marker
       REGEX "^#define[ \t]+OPENSSL_IS_BORINGSSL")
  if(_boringssl_marker)
    set(_boringssl_is_boringssl TRUE)
  elseif(BoringSSL_INCLUDE_DIR)
    message(FATAL_ERROR
      "FindBoringSSL: ${BoringSSL_INCLUDE_DIR}/openssl/base.h does not define OPENSSL_IS_BORINGSSL, "
      "so these are not BoringSSL headers. Install Debian's android-libboringssl-dev.")
  endif()
endif()

find_package_handle_standard_args(BoringSSL
  REQUIRED_VARS BoringSSL_INCLUDE_DIR BoringSSL_SSL_LIBRARY BoringSSL_CRYPTO_LIBRARY
                _boringssl_is_boringssl
  REASON_FAILURE_MESSAGE
    "BoringSSL is looked for only in Debian's android/ folders: install android-libboringssl-dev")

if(BoringSSL_FOUND)
  get_filename_component(BoringSSL_LIBRARY_DIR "${BoringSSL_SSL_LIBRARY}" DIRECTORY)
  if(NOT TARGET BoringSSL::Crypto)
    add_library(BoringSSL::Crypto SHARED IMPORTED)
    set_target_properties(BoringSSL::Crypto PROPERTIES
      IMPORTED_LOCATION "${BoringSSL_CRYPTO_LIBRARY}"
      IMPORTED_NO_SONAME FALSE
      INTERFACE_INCLUDE_DIRECTORIES "${BoringSSL_INCLUDE_DIR}"
      INTERFACE_LINK_OPTIONS "LINKER:-rpath,${BoringSSL_LIBRARY_DIR}")
  endif()
  if(NOT TARGET BoringSSL::SSL)
    add_library(BoringSSL::SSL SHARED IMPORTED)
    set_target_properties(BoringSSL::SSL PROPERTIES
      IMPORTED_LOCATION "${BoringSSL_SSL_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${BoringSSL_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES BoringSSL::Crypto)
  endif()
endif()

mark_as_advanced(BoringSSL_INCLUDE_DIR BoringSSL_SSL_LIBRARY BoringSSL_CRYPTO_LIBRARY)
