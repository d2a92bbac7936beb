// libFuzzer target: ByteArray reads driven by the input. Bytes 0-1 pick a charset label (big
// endian, modulo the table below), byte 2 says how many of the following bytes are operations
// (each may take one more as its argument), and the rest is the array. Besides the sanitizers,
// it checks the read contract: a read that fails has consumed nothing (readUTF: its 2-byte
// prefix), one that succeeds exactly its width, and every string is UTF-8 in the SDK's sense
// (surrogates may be encoded as 3 bytes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "as3/amf/Value.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/Error.h"
#include "as3/utils/ByteArray.h"
#include "as3/utils/CompressionAlgorithm.h"

namespace {

// Every label of the charset table (lib/utils/detail/Charsets.cpp, docs/charsets.md), in its
// order, then labels that are not in it: unknown, empty, other letter cases, and one longer
// than the 63 characters a label may have.
constexpr const char* kCharsets[] = {
    "ASMO-708",
    "DOS-720",
    "iso-8859-6",
    "arabic",
    "csISOLatinArabic",
    "ECMA-114",
    "ISO_8859-6",
    "ISO_8859-6:1987",
    "iso-ir-127",
    "x-mac-arabic",
    "windows-1256",
    "cp1256",
    "ibm775",
    "CP500",
    "iso-8859-4",
    "csISOLatin4",
    "ISO_8859-4",
    "ISO_8859-4:1988",
    "iso-ir-110",
    "l4",
    "latin4",
    "windows-1257",
    "ibm852",
    "cp852",
    "iso-8859-2",
    "csISOLatin2",
    "iso_8859-2",
    "iso_8859-2:1987",
    "iso8859-2",
    "iso-ir-101",
    "l2",
    "latin2",
    "x-mac-ce",
    "windows-1250",
    "x-cp1250",
    "gb18030",
    "EUC-CN",
    "x-euc-cn",
    "gb2312",
    "chinese",
    "CN-GB",
    "csGB2312",
    "csGB231280",
    "csISO58GB231280",
    "GB_2312-80",
    "GB231280",
    "GB2312-80",
    "GBK",
    "iso-ir-58",
    "hz-gb-2312",
    "x-mac-chinesesimp",
    "big5",
    "cn-big5",
    "csbig5",
    "x-x-big5",
    "x-Chinese-CNS",
    "x-Chinese-Eten",
    "x-mac-chinesetrad",
    "cp866",
    "ibm866",
    "iso-8859-5",
    "csISOLatinCyrillic",
    "cyrillic",
    "ISO_8859-5",
    "ISO_8859-5:1988",
    "iso-ir-144",
    "koi8-r",
    "csKOI8R",
    "koi",
    "koi8",
    "koi8r",
    "koi8-u",
    "koi8-ru",
    "x-mac-cyrillic",
    "windows-1251",
    "x-cp1251",
    "x-Europa",
    "x-IA5-German",
    "ibm737",
    "iso-8859-7",
    "csISOLatinGreek",
    "ECMA-118",
    "ELOT_928",
    "greek",
    "greek8",
    "ISO_8859-7",
    "ISO_8859-7:1987",
    "iso-ir-126",
    "x-mac-greek",
    "windows-1253",
    "ibm869",
    "DOS-862",
    "iso-8859-8-i",
    "logical",
    "ISO_8859-8-I",
    "iso-8859-8",
    "csISOLatinHebrew",
    "hebrew",
    "ISO_8859-8",
    "ISO_8859-8:1988",
    "iso-ir-138",
    "visual",
    "x-mac-hebrew",
    "windows-1255",
    "x-EBCDIC-Arabic",
    "x-EBCDIC-CyrillicRussian",
    "x-EBCDIC-CyrillicSerbianBulgarian",
    "x-EBCDIC-DenmarkNorway",
    "x-ebcdic-denmarknorway-euro",
    "x-EBCDIC-FinlandSweden",
    "x-ebcdic-finlandsweden-euro",
    "X-EBCDIC-France",
    "x-ebcdic-france-euro",
    "x-EBCDIC-Germany",
    "x-ebcdic-germany-euro",
    "x-EBCDIC-GreekModern",
    "x-EBCDIC-Greek",
    "x-EBCDIC-Hebrew",
    "x-EBCDIC-Icelandic",
    "x-ebcdic-icelandic-euro",
    "x-ebcdic-international-euro",
    "x-EBCDIC-Italy",
    "x-ebcdic-italy-euro",
    "x-EBCDIC-JapaneseAndKana",
    "x-EBCDIC-JapaneseAndJapaneseLatin",
    "x-EBCDIC-JapaneseAndUSCanada",
    "x-EBCDIC-JapaneseKatakana",
    "x-EBCDIC-KoreanAndKoreanExtended",
    "x-EBCDIC-KoreanExtended",
    "CP870",
    "x-EBCDIC-SimplifiedChinese",
    "X-EBCDIC-Spain",
    "x-ebcdic-spain-euro",
    "x-EBCDIC-Thai",
    "x-EBCDIC-TraditionalChinese",
    "CP1026",
    "x-EBCDIC-Turkish",
    "x-EBCDIC-UK",
    "x-ebcdic-uk-euro",
    "ebcdic-cp-us",
    "x-ebcdic-cp-us-euro",
    "ibm861",
    "x-mac-icelandic",
    "x-iscii-as",
    "x-iscii-be",
    "x-iscii-de",
    "x-iscii-gu",
    "x-iscii-ka",
    "x-iscii-ma",
    "x-iscii-or",
    "x-iscii-pa",
    "x-iscii-ta",
    "x-iscii-te",
    "euc-jp",
    "csEUCPkdFmtJapanese",
    "Extended_UNIX_Code_Packed_Format_for_Japanese",
    "x-euc",
    "x-euc-jp",
    "iso-2022-jp",
    "_iso-2022-jp$SIO",
    "csISO2022JP",
    "_iso-2022-jp",
    "x-mac-japanese",
    "shift_jis",
    "csShiftJIS",
    "csWindows31J",
    "ms_Kanji",
    "shift-jis",
    "x-ms-cp932",
    "x-sjis",
    "ks_c_5601-1987",
    "csKSC56011987",
    "euc-kr",
    "iso-ir-149",
    "korean",
    "ks_c_5601",
    "ks_c_5601_1987",
    "ks_c_5601-1989",
    "KSC_5601",
    "KSC5601",
    "csEUCKR",
    "iso-2022-kr",
    "csISO2022KR",
    "Johab",
    "x-mac-korean",
    "iso-8859-3",
    "csISOLatin3",
    "ISO_8859-3",
    "ISO_8859-3:1988",
    "iso-ir-109",
    "l3",
    "latin3",
    "iso-8859-15",
    "csISOLatin9",
    "ISO_8859-15",
    "l9",
    "latin9",
    "x-IA5-Norwegian",
    "IBM437",
    "437",
    "cp437",
    "csPC8",
    "CodePage437",
    "x-IA5-Swedish",
    "windows-874",
    "DOS-874",
    "iso-8859-11",
    "TIS-620",
    "ibm857",
    "iso-8859-9",
    "csISOLatin5",
    "ISO_8859-9",
    "ISO_8859-9:1989",
    "iso-ir-148",
    "l5",
    "latin5",
    "x-mac-turkish",
    "windows-1254",
    "unicode",
    "utf-16",
    "unicodeFFFE",
    "utf-7",
    "csUnicode11UTF7",
    "unicode-1-1-utf-7",
    "x-unicode-2-0-utf-7",
    "utf-8",
    "unicode-1-1-utf-8",
    "unicode-2-0-utf-8",
    "x-unicode-2-0-utf-8",
    "us-ascii",
    "ANSI_X3.4-1968",
    "ANSI_X3.4-1986",
    "ascii",
    "cp367",
    "csASCII",
    "IBM367",
    "ISO_646.irv:1991",
    "ISO646-US",
    "iso-ir-6us",
    "iso-ir-6",
    "us",
    "windows-1258",
    "ibm850",
    "x-IA5",
    "iso-8859-1",
    "cp819",
    "csISOLatin1",
    "ibm819",
    "iso_8859-1",
    "iso_8859-1:1987",
    "iso8859-1",
    "iso-ir-100",
    "l1",
    "latin1",
    "macintosh",
    "Windows-1252",
    "x-ansi",
    "utf-16le",
    "utf-16be",
    "csPC8CodePage437",
    "cp874",
    "cp932",
    "windows-31j",
    "sjis",
    "cp936",
    "cp949",
    "cp950",
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1257",
    "cp1258",
    "iso-8859-10",
    "iso-8859-13",
    "iso-8859-14",
    "iso-8859-16",
    "IBM037",
    "IBM273",
    "IBM277",
    "IBM278",
    "IBM280",
    "IBM284",
    "IBM285",
    "IBM290",
    "IBM297",
    "IBM420",
    "IBM423",
    "IBM424",
    "IBM500",
    "IBM870",
    "IBM871",
    "cp875",
    "IBM880",
    "IBM905",
    "IBM1026",
    "IBM01140",
    "IBM01141",
    "IBM01142",
    "IBM01143",
    "IBM01144",
    "IBM01145",
    "IBM01146",
    "IBM01147",
    "IBM01148",
    "IBM01149",
    "no-such-charset",
    "",
    "SHIFT_JIS",
    "Utf-16BE",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};

[[noreturn]] void broken(const char* what, std::uint32_t a, std::uint32_t b) {
  std::fprintf(stderr, "ByteArray contract broken: %s (%u, %u)\n", what, a, b);
  std::abort();
}

// UTF-8 as the SDK's strings hold it: shortest forms up to U+10FFFF, surrogates allowed.
void requireUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    unsigned c = p[i];
    std::size_t len = c < 0x80             ? 1
                      : (c & 0xE0) == 0xC0 ? 2
                      : (c & 0xF0) == 0xE0 ? 3
                      : (c & 0xF8) == 0xF0 ? 4
                                           : 0;
    if (len == 0 || n - i < len) broken("a string that is not UTF-8", static_cast<unsigned>(i), c);
    std::uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) broken("a bad continuation byte", static_cast<unsigned>(i), c);
      cp = cp << 6 | (p[i + k] & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF) broken("an overlong or too large character", cp, 0);
    i += len;
  }
}

class Driver {
 public:
  Driver(const std::uint8_t* ops, std::size_t count) : ops_(ops), count_(count) {}
  bool more() const { return next_ < count_; }
  std::uint8_t byte() { return next_ < count_ ? ops_[next_++] : 0; }

 private:
  const std::uint8_t* ops_;
  std::size_t count_;
  std::size_t next_ = 0;
};

// Runs `read`, which takes `width` bytes when it succeeds; checks the position either way.
template <class F>
void checked(as3::utils::ByteArray& array, std::uint32_t width, F&& read) {
  std::uint32_t before = array.position();
  std::uint32_t available = array.bytesAvailable();
  try {
    read();
  } catch (const as3::errors::EOFError&) {
    if (width <= available) broken("EOFError with enough bytes", width, available);
    if (array.position() != before)
      broken("a failed read moved the position", before, array.position());
    return;
  }
  if (width > available) broken("a read past the end succeeded", width, available);
  if (array.position() != before + width) broken("a read took the wrong width", before, width);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t label = static_cast<std::size_t>(data[0] << 8 | data[1]);
  const char* charset = kCharsets[label % (sizeof kCharsets / sizeof kCharsets[0])];
  std::size_t opCount = data[2] < size - 3 ? data[2] : size - 3;
  Driver ops(data + 3, opCount);
  as3::utils::ByteArray array(data + 3 + opCount, size - 3 - opCount);

  while (ops.more()) {
    std::uint8_t op = ops.byte();
    switch (op % 20) {
      case 0:
        checked(array, 1, [&] { (void)array.readBoolean(); });
        break;
      case 1:
        checked(array, 1, [&] { (void)array.readByte(); });
        break;
      case 2:
        checked(array, 1, [&] { (void)array.readUnsignedByte(); });
        break;
      case 3:
        checked(array, 2, [&] { (void)array.readShort(); });
        break;
      case 4:
        checked(array, 2, [&] { (void)array.readUnsignedShort(); });
        break;
      case 5:
        checked(array, 4, [&] { (void)array.readInt(); });
        break;
      case 6:
        checked(array, 4, [&] { (void)array.readUnsignedInt(); });
        break;
      case 7:
        checked(array, 4, [&] { (void)array.readFloat(); });
        break;
      case 8:
        checked(array, 8, [&] { (void)array.readDouble(); });
        break;
      case 9: {
        std::uint32_t length = ops.byte();
        checked(array, length, [&] { requireUtf8(array.readMultiByte(length, charset)); });
        break;
      }
      case 10: {
        std::uint32_t length = ops.byte();
        std::string text;
        checked(array, length, [&] { text = array.readUTFBytes(length); });
        requireUtf8(text);
        // What readUTFBytes returns reads back unchanged (a leading BOM would be dropped again).
        if (text.compare(0, 3, "\xEF\xBB\xBF") != 0) {
          as3::utils::ByteArray copy;
          copy.writeUTFBytes(text);
          copy.position(0);
          if (copy.readUTFBytes(copy.length()) != text)
            broken("readUTFBytes(writeUTFBytes(s)) != s", copy.length(),
                   static_cast<std::uint32_t>(text.size()));
        }
        break;
      }
      case 11: {
        std::uint32_t before = array.position();
        std::uint32_t available = array.bytesAvailable();
        try {
          requireUtf8(array.readUTF());
        } catch (const as3::errors::EOFError&) {
          // Flash has consumed the prefix when the text is missing.
          std::uint32_t expected = available >= 2 ? before + 2 : before;
          if (array.position() != expected) broken("readUTF left the position", before, expected);
        }
        break;
      }
      case 12:
        array.position(ops.byte() % (array.length() + 2));
        break;
      case 13:
        array.endian(array.endian() == as3::utils::Endian::bigEndian
                         ? as3::utils::Endian::littleEndian
                         : as3::utils::Endian::bigEndian);
        break;
      case 14: {
        as3::utils::ByteArray target;
        std::uint32_t offset = ops.byte();
        std::uint32_t length = ops.byte();
        checked(array, length == 0 ? array.bytesAvailable() : length,
                [&] { array.readBytes(target, offset, length); });
        break;
      }
      case 15: {
        array.objectEncoding(ops.byte() & 1 ? 3 : 0);
        std::uint32_t before = array.position();
        try {
          (void)array.readObject();
        } catch (const as3::errors::Error&) {
          if (array.position() < before) broken("readObject moved back", before, array.position());
        }
        break;
      }
      case 16: {
        // A charset's encoder on whatever a decoder made.
        std::string text;
        std::uint32_t length = ops.byte();
        try {
          text = array.readMultiByte(length, charset);
        } catch (const as3::errors::EOFError&) {
        }
        as3::utils::ByteArray out;
        out.writeMultiByte(text, charset);
        break;
      }
      case 17: {
        as3::utils::ByteArray copy = array;
        static constexpr std::string_view kAlgorithms[] = {
            as3::utils::CompressionAlgorithm::ZLIB, as3::utils::CompressionAlgorithm::DEFLATE,
            as3::utils::CompressionAlgorithm::LZMA};
        try {
          copy.uncompress(kAlgorithms[ops.byte() % 3]);
        } catch (const as3::errors::Error&) {
          if (copy != array) broken("a failed uncompress changed the bytes", copy.length(), 0);
        }
        break;
      }
      case 18: {
        std::uint32_t length = ops.byte();
        checked(array, length, [&] { requireUtf8(array.readMultiByte(length, "utf-8")); });
        break;
      }
      default:
        (void)array.toString();
        break;
    }
  }
  return 0;
}
