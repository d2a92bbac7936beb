// libFuzzer target: ByteArray reads driven by the input. Byte 0 picks a charset, byte 1 says how
// many of the following bytes are operations (each may take one more as its argument), and the
// rest is the array. Besides the sanitizers, it checks the read contract: a read that fails has
// consumed nothing (readUTF: its 2-byte prefix), one that succeeds exactly its width, and every
// string is UTF-8 in the SDK's sense (surrogates may be encoded as 3 bytes).
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

constexpr const char* kCharsets[] = {"ASMO-708",
                                     "DOS-720",
                                     "windows-1256",
                                     "ibm775",
                                     "CP500",
                                     "iso-8859-4",
                                     "windows-1257",
                                     "ibm852",
                                     "iso-8859-2",
                                     "x-mac-ce",
                                     "windows-1250",
                                     "gb18030",
                                     "EUC-CN",
                                     "hz-gb-2312",
                                     "big5",
                                     "cp866",
                                     "iso-8859-5",
                                     "koi8-r",
                                     "koi8-u",
                                     "x-mac-cyrillic",
                                     "windows-1251",
                                     "x-IA5-German",
                                     "ibm737",
                                     "iso-8859-7",
                                     "windows-1253",
                                     "ibm869",
                                     "DOS-862",
                                     "iso-8859-8-i",
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
                                     "x-EBCDIC-JapaneseKatakana",
                                     "x-EBCDIC-KoreanAndKoreanExtended",
                                     "CP870",
                                     "x-EBCDIC-SimplifiedChinese",
                                     "X-EBCDIC-Spain",
                                     "x-ebcdic-spain-euro",
                                     "x-EBCDIC-TraditionalChinese",
                                     "CP1026",
                                     "x-EBCDIC-Turkish",
                                     "x-EBCDIC-UK",
                                     "x-ebcdic-uk-euro",
                                     "ebcdic-cp-us",
                                     "x-ebcdic-cp-us-euro",
                                     "ibm861",
                                     "x-mac-icelandic",
                                     "euc-jp",
                                     "iso-2022-jp",
                                     "shift_jis",
                                     "ks_c_5601-1987",
                                     "iso-2022-kr",
                                     "Johab",
                                     "iso-8859-3",
                                     "iso-8859-15",
                                     "x-IA5-Norwegian",
                                     "IBM437",
                                     "x-IA5-Swedish",
                                     "windows-874",
                                     "ibm857",
                                     "iso-8859-9",
                                     "windows-1254",
                                     "unicode",
                                     "unicodeFFFE",
                                     "utf-7",
                                     "utf-8",
                                     "us-ascii",
                                     "windows-1258",
                                     "ibm850",
                                     "iso-8859-1",
                                     "macintosh",
                                     "Windows-1252",
                                     "iso-8859-10",
                                     "iso-8859-13",
                                     "iso-8859-14",
                                     "iso-8859-16",
                                     "UTF-8",
                                     "no-such-charset",
                                     ""};

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
  if (size < 2) return 0;
  const char* charset = kCharsets[data[0] % (sizeof kCharsets / sizeof kCharsets[0])];
  std::size_t opCount = data[1] < size - 2 ? data[1] : size - 2;
  Driver ops(data + 2, opCount);
  as3::utils::ByteArray array(data + 2 + opCount, size - 2 - opCount);

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
