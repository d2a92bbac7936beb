// AS3NET_EXPORT marks the public API of the as3net library. The library is built with hidden
// visibility, so only marked classes and functions (and their type information, which exceptions
// and dynamic_cast need across the library boundary) are visible to applications.
#ifndef AS3_EXPORT_H_
#define AS3_EXPORT_H_

#if defined(AS3NET_STATIC)
#define AS3NET_EXPORT
#elif defined(_WIN32)
#if defined(AS3NET_BUILDING)
#define AS3NET_EXPORT __declspec(dllexport)
#else
#define AS3NET_EXPORT __declspec(dllimport)
#endif
#else
#define AS3NET_EXPORT __attribute__((visibility("default")))
#endif

#endif  // AS3_EXPORT_H_
