// readMultiByte / writeMultiByte against the charset table (docs/charsets.md). Expected bytes are
// literals, checked once against glibc's iconv(1); the tests never ask an engine for them.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "as3/errors/EOFError.h"
#include "as3/utils/ByteArray.h"

using as3::utils::ByteArray;

namespace {

std::string contents(const ByteArray& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), a.length());
}

// encode is writeMultiByte into an empty array.
std::string encode(std::string_view text, std::string_view charSet) {
  ByteArray a;
  a.writeMultiByte(text, charSet);
  CHECK(a.position() == a.length());
  return contents(a);
}

// decode is readMultiByte of all of `bytes`; it checks that all of them were consumed.
std::string decode(std::string_view bytes, std::string_view charSet) {
  ByteArray a(bytes.data(), bytes.size());
  std::string text = a.readMultiByte(static_cast<std::uint32_t>(bytes.size()), charSet);
  CHECK(a.position() == bytes.size());
  return text;
}

// roundTrip checks both directions of one pair.
void roundTrip(std::string_view text, std::string_view charSet, std::string_view bytes) {
  INFO(charSet);
  CHECK(encode(text, charSet) == bytes);
  CHECK(decode(bytes, charSet) == text);
}

}  // namespace

TEST_CASE("charsets: the main East Asian charsets give Windows' bytes", "[charsets]") {
  roundTrip("日本語", "shift_jis", "\x93\xFA\x96\x7B\x8C\xEA");
  roundTrip("日本語", "euc-jp", "\xC6\xFC\xCB\xDC\xB8\xEC");
  roundTrip("日本語", "iso-2022-jp", "\x1B\x24\x42\x46\x7C\x4B\x5C\x38\x6C\x1B\x28\x42");
  roundTrip("a日b", "iso-2022-jp",
            "a\x1B\x24\x42\x46\x7C\x1B\x28\x42"
            "b");
  roundTrip("中文", "gb2312", "\xD6\xD0\xCE\xC4");
  roundTrip("中文", "big5", "\xA4\xA4\xA4\xE5");
  roundTrip("한국어", "euc-kr", "\xC7\xD1\xB1\xB9\xBE\xEE");
  roundTrip("한국", "iso-2022-kr", "\x1B\x24\x29\x43\x0E\x47\x51\x31\x39\x0F");
  roundTrip("中文~", "hz-gb-2312", "~{VPND~}~~");
}

TEST_CASE("charsets: Flash's labels map to the Windows code pages", "[charsets]") {
  // Shift_JIS is code page 932: 0x5C is the backslash, not the yen sign.
  roundTrip("\\~", "shift_jis", "\x5C\x7E");
  // EUC-JP follows 932's mappings too: A1 C1 is FULLWIDTH TILDE, not WAVE DASH.
  roundTrip("\xEF\xBD\x9E", "euc-jp", "\xA1\xC1");
  // gb2312 is code page 936 (GBK): the euro sign is 0x80.
  roundTrip("€", "gb2312", "\x80");
  // euc-kr is code page 949 (UHC): a syllable outside KS X 1001.
  roundTrip("똠", "euc-kr", "\x8C\x63");
  roundTrip("똠", "ks_c_5601-1987", "\x8C\x63");
  // unicode is UTF-16LE, unicodeFFFE UTF-16BE.
  roundTrip("A", "unicode", std::string("A\0", 2));
  roundTrip("A", "unicodeFFFE", std::string("\0A", 2));
}

TEST_CASE("charsets: GB 18030 writes four-byte sequences", "[charsets]") {
  roundTrip("😀", "gb18030", "\x94\x39\xFC\x36");
  roundTrip("¥", "gb18030", "\x81\x30\x84\x36");
  roundTrip("€", "gb18030", "\xA2\xE3");
}

TEST_CASE("charsets: single-byte charsets", "[charsets]") {
  roundTrip("Привет", "koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4");
  roundTrip("Привет", "windows-1251", "\xCF\xF0\xE8\xE2\xE5\xF2");
  roundTrip("€é", "windows-1252", "\x80\xE9");
  roundTrip("€", "windows-1250", "\x80");
  roundTrip("Ω", "windows-1253", "\xD9");
  roundTrip("€", "iso-8859-15", "\xA4");
  roundTrip("é", "macintosh", "\x8E");
  roundTrip("Ж", "cp866", "\x86");
  roundTrip("ä", "x-IA5-German", "{");
  roundTrip("ø", "x-IA5-Norwegian", "|");
  roundTrip("A€", "utf-7", "A+IKw-");
}

TEST_CASE("charsets: iso-8859-1 is byte = code point, not windows-1252", "[charsets]") {
  roundTrip("é", "iso-8859-1", "\xE9");
  CHECK(decode("\x80\x9F", "iso-8859-1") == "\xC2\x80\xC2\x9F");  // C1 controls, not € and Ÿ
  CHECK(encode("€", "iso-8859-1") == "?");
}

TEST_CASE("charsets: us-ascii", "[charsets]") {
  roundTrip("hi!", "us-ascii", "hi!");
  CHECK(encode("hé", "us-ascii") == "h?");
  CHECK(decode("h\xE9", "us-ascii") == "h\xEF\xBF\xBD");
}

TEST_CASE("charsets: EBCDIC", "[charsets]") {
  roundTrip("A", "ebcdic-cp-us", "\xC1");
  CHECK(encode("日", "ebcdic-cp-us") == "\x6F");  // EBCDIC's '?', not 0x3F
  roundTrip("€", "x-ebcdic-cp-us-euro", "\x9F");
  // Mixed single/double byte: SO ... SI around the double-byte part, closed at the end.
  roundTrip("日A", "x-EBCDIC-JapaneseAndKana", "\x0E\x45\x62\x0F\xC1");
  roundTrip("A日", "x-EBCDIC-JapaneseAndKana", "\xC1\x0E\x45\x62\x0F");
}

TEST_CASE("charsets: stateful encoders give the same bytes on every call", "[charsets]") {
  for (int i = 0; i < 3; ++i) {
    CHECK(encode("한", "iso-2022-kr") == "\x1B\x24\x29\x43\x0E\x47\x51\x0F");
    CHECK(encode("日", "csISO2022JP") == "\x1B\x24\x42\x46\x7C\x1B\x28\x42");
  }
}

TEST_CASE("charsets: labels are case-insensitive and take Flash's aliases", "[charsets]") {
  const std::string sjis = "\x93\xFA";
  for (const char* label :
       {"shift_jis", "SHIFT_JIS", "SHIFT-JIS", "x-sjis", "ms_Kanji", "csShiftJIS", "x-ms-cp932"}) {
    INFO(label);
    CHECK(encode("日", label) == sjis);
    CHECK(decode(sjis, label) == "日");
  }
  for (const char* label : {"Latin1", "l1", "ISO_8859-1", "cp819", "iso8859-1"})
    roundTrip("é", label, "\xE9");
  for (const char* label : {"cp1251", "x-cp1251", "Windows-1251"}) roundTrip("Ж", label, "\xC6");
  for (const char* label : {"chinese", "CN-GB", "GBK", "csGB2312", "x-euc-cn"})
    roundTrip("中", label, "\xD6\xD0");
  for (const char* label : {"UTF-16", "utf-16le", "Unicode"})
    roundTrip("A", label, std::string("A\0", 2));
  for (const char* label : {"utf-16be", "UNICODEfffe"})
    roundTrip("A", label, std::string("\0A", 2));
  for (const char* label : {"koi", "KOI8", "koi8r", "csKOI8R"}) roundTrip("Ж", label, "\xF6");
}

TEST_CASE("charsets: the result is cut at the first NUL character, all bytes are consumed",
          "[charsets]") {
  CHECK(decode(std::string("A\0B", 3), "utf-8") == "A");
  CHECK(decode(std::string("A\0B", 3), "iso-8859-1") == "A");
  CHECK(decode(std::string("A\0B", 3), "shift_jis") == "A");
  CHECK(decode(std::string("A\0\0\0B\0", 6), "utf-16le") == "A");
  CHECK(decode(std::string("\0A\0\0\0B", 6), "utf-16be") == "A");
  // In UTF-16 a zero byte is not a NUL character.
  CHECK(decode(std::string("\0A\0B", 4), "utf-16be") == "AB");
  // EBCDIC: 0x00 is NUL too.
  CHECK(decode(std::string("\xC1\0\xC2", 3), "ebcdic-cp-us") == "A");
  CHECK(decode(std::string("\x82\xA0\0\x82\xA2", 5), "shift_jis") == "あ");
}

TEST_CASE("charsets: length 0 reads \"\"", "[charsets]") {
  ByteArray a("abc", 3);
  CHECK(a.readMultiByte(0, "shift_jis") == "");
  CHECK(a.readMultiByte(0, "utf-16") == "");
  CHECK(a.position() == 0);
  ByteArray empty;
  CHECK(empty.readMultiByte(0, "utf-8") == "");
  empty.writeMultiByte("", "iso-2022-kr");  // no header for nothing
  CHECK(empty.length() == 0);
}

TEST_CASE("charsets: a character the charset lacks is written as '?'", "[charsets]") {
  CHECK(encode("a日b", "iso-8859-1") == "a?b");
  CHECK(encode("a日b", "windows-1252") == "a?b");
  CHECK(encode("a😀b", "shift_jis") == "a?b");  // one '?' for the whole character
  CHECK(encode("a한b", "koi8-r") == "a?b");
  // In a shifted state the '?' is written in the charset's ASCII state.
  CHECK(encode("日😀", "iso-2022-jp") == "\x1B\x24\x42\x46\x7C\x1B\x28\x42?");
}

TEST_CASE("charsets: invalid UTF-8 in the string is written as '?'", "[charsets]") {
  CHECK(encode("a\xFF"
               "b",
               "shift_jis") == "a?b");
  CHECK(encode("a\xE6\x97"
               "b",
               "windows-1252") == "a??b");  // a cut sequence: '?' per byte
  CHECK(encode("a\xED\xA0\x80"
               "b",
               "shift_jis") == "a?b");  // an encoded lone surrogate
  CHECK(encode("a\xFF", "iso-8859-1") == "a?");
  CHECK(encode("a\xFF", "utf-16le") == std::string("a\0?\0", 4));
  // UTF-8 writes the string's bytes as they are.
  CHECK(encode("a\xFF", "utf-8") == "a\xFF");
}

TEST_CASE("charsets: UTF-16 pairs surrogates and keeps lone ones", "[charsets]") {
  roundTrip("😀", "utf-16le", std::string("\x3D\xD8\x00\xDE", 4));
  roundTrip("😀", "utf-16be", std::string("\xD8\x3D\xDE\x00", 4));
  roundTrip("\xED\xA0\x80", "utf-16le", std::string("\x00\xD8", 2));  // a lone high surrogate
  // No BOM handling: FF FE is read as U+FEFF.
  CHECK(decode(std::string("\xFF\xFE"
                           "A\0",
                           4),
               "utf-16") ==
        "\xEF\xBB\xBF"
        "A");
  // An odd last byte is ignored.
  CHECK(decode(std::string("A\0B", 3), "utf-16le") == "A");
}

TEST_CASE("charsets: bytes the charset rejects are read as U+FFFD each", "[charsets]") {
  CHECK(decode("a\x80"
               "b",
               "shift_jis") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(decode("a\x93", "shift_jis") == "a\xEF\xBF\xBD");  // a cut double-byte character
  CHECK(decode("\x81\x30", "gb18030") ==
        "\xEF\xBF\xBD"
        "0");
  CHECK(decode("\x81", "windows-1252") == "\xEF\xBF\xBD");  // undefined in 1252
  CHECK(decode("~x", "hz-gb-2312") ==
        "\xEF\xBF\xBD"
        "x");
}

TEST_CASE("charsets: windows-1255 and 1258 keep one character per byte", "[charsets]") {
  // glibc would join these into U+FB2A and U+00E0.
  CHECK(decode("\xF9\xD1", "windows-1255") == "\xD7\xA9\xD7\x81");
  CHECK(decode("a\xCC", "windows-1258") == "a\xCC\x80");
  CHECK(encode("\xD7\xA9\xD7\x81", "windows-1255") == "\xF9\xD1");
}

TEST_CASE("charsets: the utf-8 label reads like readUTFBytes", "[charsets]") {
  CHECK(decode("\xEF\xBB\xBF"
               "A",
               "utf-8") == "A");                 // BOM dropped
  CHECK(decode("\x89", "utf-8") == "\xC2\x89");  // lenient: 0x89 -> U+0089
  CHECK(decode("\xE6\x97"
               "A",
               "UTF-8") ==
        "\xC3\xA6\xC2\x97"
        "A");
  roundTrip("日本語", "unicode-2-0-utf-8", "日本語");
}

TEST_CASE("charsets: an unknown or unsupported label behaves as UTF-8", "[charsets]") {
  for (const char* label :
       {"no-such-charset", "", "x-mac-japanese", "x-iscii-de", "utf-8 ", "shift_jis\x01"}) {
    INFO(label);
    CHECK(encode("é", label) == "\xC3\xA9");
    CHECK(decode("\xEF\xBB\xBF"
                 "A\x89",
                 label) == "A\xC2\x89");
    CHECK(decode(std::string("A\0B", 3), label) == "A");
  }
  CHECK(encode("é", std::string(200, 'x')) == "\xC3\xA9");
}

TEST_CASE("charsets: threads convert at the same time, each with its own converters",
          "[charsets]") {
  std::atomic<int> failures{0};  // Catch's assertions are not thread-safe
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&failures] {
      for (int i = 0; i < 50; ++i) {
        ByteArray a;
        a.writeMultiByte("日本語", "shift_jis");
        a.writeMultiByte("한", "iso-2022-kr");
        a.writeMultiByte("Ж", "koi8-r");
        if (contents(a) != "\x93\xFA\x96\x7B\x8C\xEA\x1B\x24\x29\x43\x0E\x47\x51\x0F\xF6")
          ++failures;
        a.position(0);
        if (a.readMultiByte(6, "shift_jis") != "日本語") ++failures;
        if (a.readMultiByte(8, "iso-2022-kr") != "한") ++failures;
        if (a.readMultiByte(1, "koi8-r") != "Ж") ++failures;
      }
    });  // each thread's converters are closed as it exits (LeakSanitizer would tell)
  }
  for (std::thread& th : threads) th.join();
  CHECK(failures == 0);
}

TEST_CASE("charsets: readMultiByte past the end throws EOFError #2030, consuming nothing",
          "[charsets]") {
  ByteArray a("\x93\xFA", 2);
  a.position(1);
  try {
    a.readMultiByte(2, "shift_jis");
    FAIL("no throw");
  } catch (const as3::errors::EOFError& e) {
    CHECK(e.errorID() == 2030);
  }
  CHECK(a.position() == 1);
}
