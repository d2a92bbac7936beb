// The charset table behind readMultiByte / writeMultiByte. docs/charsets.md is the reference
// for every label below; keep the two in step.
//
// Engines: UTF-8, UTF-16LE/BE, ISO-8859-1, US-ASCII and HZ are done here; everything else goes
// through glibc's iconv with a fixed codec name, so no result depends on the locale or the OS code
// page. Flash's charsets are Windows code pages, so labels map the way Windows and .NET map them.
#include "utils/detail/Charsets.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cstdint>
#include <vector>

#include "utils/detail/Text.h"

namespace as3::utils::detail {

namespace {

enum class Kind : std::uint8_t {
  kUtf8,        // native; also unknown and unsupported labels
  kUtf16Le,     // native
  kUtf16Be,     // native
  kLatin1,      // native: byte = code point
  kAscii,       // native: bytes above 0x7F decode to U+FFFD
  kHz,          // native framing over the EUC-CN codec
  kIconv,       // glibc iconv, one cached converter per thread
  kIconvBytes,  // kIconv, but decoded byte by byte (see byteTable)
  kIconvFresh   // glibc iconv, a new converter per call (stateful codecs, see Converter)
};

struct Codec {
  Kind kind;
  const char* engine;  // glibc name for the iconv kinds
};

// One object per engine: the thread-local converter cache is keyed by their addresses.
constexpr Codec kUtf8{Kind::kUtf8, "UTF-8"};
constexpr Codec kUnsupported{Kind::kUtf8, "UTF-8"};  // documented as "decoded as UTF-8"
constexpr Codec kUtf16Le{Kind::kUtf16Le, "UTF-16LE"};
constexpr Codec kUtf16Be{Kind::kUtf16Be, "UTF-16BE"};
constexpr Codec kLatin1{Kind::kLatin1, "ISO-8859-1"};
constexpr Codec kAscii{Kind::kAscii, "ASCII"};
constexpr Codec kHz{Kind::kHz, "HZ"};
constexpr Codec kEucCn{Kind::kIconv, "EUC-CN"};  // HZ's GB 2312 pairs only

constexpr Codec kIso8859_2{Kind::kIconv, "ISO-8859-2"};
constexpr Codec kIso8859_3{Kind::kIconv, "ISO-8859-3"};
constexpr Codec kIso8859_4{Kind::kIconv, "ISO-8859-4"};
constexpr Codec kIso8859_5{Kind::kIconv, "ISO-8859-5"};
constexpr Codec kIso8859_6{Kind::kIconv, "ISO-8859-6"};
constexpr Codec kIso8859_7{Kind::kIconv, "ISO-8859-7"};
constexpr Codec kIso8859_8{Kind::kIconv, "ISO-8859-8"};
constexpr Codec kIso8859_9{Kind::kIconv, "ISO-8859-9"};
constexpr Codec kIso8859_10{Kind::kIconv, "ISO-8859-10"};
constexpr Codec kIso8859_13{Kind::kIconv, "ISO-8859-13"};
constexpr Codec kIso8859_14{Kind::kIconv, "ISO-8859-14"};
constexpr Codec kIso8859_15{Kind::kIconv, "ISO-8859-15"};
constexpr Codec kIso8859_16{Kind::kIconv, "ISO-8859-16"};
constexpr Codec kCp874{Kind::kIconv, "CP874"};
constexpr Codec kCp1250{Kind::kIconv, "CP1250"};
constexpr Codec kCp1251{Kind::kIconv, "CP1251"};
constexpr Codec kCp1252{Kind::kIconv, "CP1252"};
constexpr Codec kCp1253{Kind::kIconv, "CP1253"};
constexpr Codec kCp1254{Kind::kIconv, "CP1254"};
constexpr Codec kCp1255{Kind::kIconvBytes, "CP1255"};
constexpr Codec kCp1256{Kind::kIconv, "CP1256"};
constexpr Codec kCp1257{Kind::kIconv, "CP1257"};
constexpr Codec kCp1258{Kind::kIconvBytes, "CP1258"};
constexpr Codec kCp932{Kind::kIconv, "CP932"};
constexpr Codec kCp936{Kind::kIconv, "CP936"};
constexpr Codec kCp949{Kind::kIconv, "CP949"};
constexpr Codec kCp950{Kind::kIconv, "CP950"};
constexpr Codec kGb18030{Kind::kIconv, "GB18030"};
constexpr Codec kEucJp{Kind::kIconv, "EUC-JP-MS"};
constexpr Codec kJohab{Kind::kIconv, "JOHAB"};
constexpr Codec kIso2022Jp{Kind::kIconvFresh, "ISO-2022-JP"};
constexpr Codec kIso2022Kr{Kind::kIconvFresh, "ISO-2022-KR"};
constexpr Codec kUtf7{Kind::kIconvFresh, "UTF-7"};
constexpr Codec kKoi8R{Kind::kIconv, "KOI8-R"};
constexpr Codec kKoi8U{Kind::kIconv, "KOI8-U"};
constexpr Codec kIbm437{Kind::kIconv, "IBM437"};
constexpr Codec kCp737{Kind::kIconv, "CP737"};
constexpr Codec kIbm775{Kind::kIconv, "IBM775"};
constexpr Codec kIbm850{Kind::kIconv, "IBM850"};
constexpr Codec kIbm852{Kind::kIconv, "IBM852"};
constexpr Codec kIbm857{Kind::kIconv, "IBM857"};
constexpr Codec kIbm861{Kind::kIconv, "IBM861"};
constexpr Codec kIbm862{Kind::kIconv, "IBM862"};
constexpr Codec kIbm866{Kind::kIconv, "IBM866"};
constexpr Codec kIbm869{Kind::kIconv, "IBM869"};
constexpr Codec kMacRoman{Kind::kIconv, "MACINTOSH"};
constexpr Codec kMacCe{Kind::kIconv, "MAC-CENTRALEUROPE"};
constexpr Codec kMacCyrillic{Kind::kIconv, "MAC-CYRILLIC"};
constexpr Codec kMacIcelandic{Kind::kIconv, "MAC-IS"};
constexpr Codec kIa5German{Kind::kIconv, "ISO646-DE"};
constexpr Codec kIa5Swedish{Kind::kIconv, "ISO646-SE"};
constexpr Codec kIa5Norwegian{Kind::kIconv, "ISO646-NO"};
// EBCDIC. The mixed single/double-byte ones (93x) shift with SO/SI, hence kIconvFresh.
constexpr Codec kIbm037{Kind::kIconv, "IBM037"};
constexpr Codec kIbm273{Kind::kIconv, "IBM273"};
constexpr Codec kIbm277{Kind::kIconv, "IBM277"};
constexpr Codec kIbm278{Kind::kIconv, "IBM278"};
constexpr Codec kIbm280{Kind::kIconv, "IBM280"};
constexpr Codec kIbm284{Kind::kIconv, "IBM284"};
constexpr Codec kIbm285{Kind::kIconv, "IBM285"};
constexpr Codec kIbm290{Kind::kIconv, "IBM290"};
constexpr Codec kIbm297{Kind::kIconv, "IBM297"};
constexpr Codec kIbm420{Kind::kIconv, "IBM420"};
constexpr Codec kIbm423{Kind::kIconv, "IBM423"};
constexpr Codec kIbm424{Kind::kIconv, "IBM424"};
constexpr Codec kIbm500{Kind::kIconv, "IBM500"};
constexpr Codec kIbm870{Kind::kIconv, "IBM870"};
constexpr Codec kIbm871{Kind::kIconv, "IBM871"};
constexpr Codec kIbm875{Kind::kIconv, "IBM875"};
constexpr Codec kIbm880{Kind::kIconv, "IBM880"};
constexpr Codec kIbm905{Kind::kIconv, "IBM905"};
constexpr Codec kIbm1025{Kind::kIconv, "IBM1025"};
constexpr Codec kIbm1026{Kind::kIconv, "IBM1026"};
constexpr Codec kIbm1140{Kind::kIconv, "IBM1140"};
constexpr Codec kIbm1141{Kind::kIconv, "IBM1141"};
constexpr Codec kIbm1142{Kind::kIconv, "IBM1142"};
constexpr Codec kIbm1143{Kind::kIconv, "IBM1143"};
constexpr Codec kIbm1144{Kind::kIconv, "IBM1144"};
constexpr Codec kIbm1145{Kind::kIconv, "IBM1145"};
constexpr Codec kIbm1146{Kind::kIconv, "IBM1146"};
constexpr Codec kIbm1147{Kind::kIconv, "IBM1147"};
constexpr Codec kIbm1148{Kind::kIconv, "IBM1148"};
constexpr Codec kIbm1149{Kind::kIconv, "IBM1149"};
constexpr Codec kIbm930{Kind::kIconvFresh, "IBM930"};
constexpr Codec kIbm933{Kind::kIconvFresh, "IBM933"};
constexpr Codec kIbm935{Kind::kIconvFresh, "IBM935"};
constexpr Codec kIbm937{Kind::kIconvFresh, "IBM937"};
constexpr Codec kIbm939{Kind::kIconvFresh, "IBM939"};

struct Label {
  std::string_view name;  // any case here; compared case-insensitively
  const Codec* codec;
};

// Flash's "Supported character sets" appendix, in its order, every label and alias; then the
// labels added here (marked). Where the appendix lists one alias under two rows, the choice is
// documented in docs/charsets.md.
constexpr Label kLabels[] = {
    // Arabic
    {"ASMO-708", &kIso8859_6},  // glibc's ASMO-708 is ISO-8859-6
    {"DOS-720", &kUnsupported},
    {"iso-8859-6", &kIso8859_6},
    {"arabic", &kIso8859_6},
    {"csISOLatinArabic", &kIso8859_6},
    {"ECMA-114", &kIso8859_6},
    {"ISO_8859-6", &kIso8859_6},
    {"ISO_8859-6:1987", &kIso8859_6},
    {"iso-ir-127", &kIso8859_6},
    {"x-mac-arabic", &kUnsupported},
    {"windows-1256", &kCp1256},
    {"cp1256", &kCp1256},
    // Baltic
    {"ibm775", &kIbm775},
    {"CP500", &kIbm500},  // listed under ibm775 by the appendix; it is EBCDIC 500
    {"iso-8859-4", &kIso8859_4},
    {"csISOLatin4", &kIso8859_4},
    {"ISO_8859-4", &kIso8859_4},
    {"ISO_8859-4:1988", &kIso8859_4},
    {"iso-ir-110", &kIso8859_4},
    {"l4", &kIso8859_4},
    {"latin4", &kIso8859_4},
    {"windows-1257", &kCp1257},
    // Central European
    {"ibm852", &kIbm852},
    {"cp852", &kIbm852},
    {"iso-8859-2", &kIso8859_2},
    {"csISOLatin2", &kIso8859_2},
    {"iso_8859-2", &kIso8859_2},
    {"iso_8859-2:1987", &kIso8859_2},
    {"iso8859-2", &kIso8859_2},
    {"iso-ir-101", &kIso8859_2},
    {"l2", &kIso8859_2},
    {"latin2", &kIso8859_2},
    {"x-mac-ce", &kMacCe},
    {"windows-1250", &kCp1250},
    {"x-cp1250", &kCp1250},
    // Chinese
    {"gb18030", &kGb18030},
    {"EUC-CN", &kCp936},
    {"x-euc-cn", &kCp936},
    {"gb2312", &kCp936},
    {"chinese", &kCp936},
    {"CN-GB", &kCp936},
    {"csGB2312", &kCp936},
    {"csGB231280", &kCp936},
    {"csISO58GB231280", &kCp936},
    {"GB_2312-80", &kCp936},
    {"GB231280", &kCp936},
    {"GB2312-80", &kCp936},
    {"GBK", &kCp936},
    {"iso-ir-58", &kCp936},
    {"hz-gb-2312", &kHz},
    {"x-mac-chinesesimp", &kUnsupported},
    {"big5", &kCp950},
    {"cn-big5", &kCp950},
    {"csbig5", &kCp950},
    {"x-x-big5", &kCp950},
    {"x-Chinese-CNS", &kUnsupported},
    {"x-Chinese-Eten", &kUnsupported},
    {"x-mac-chinesetrad", &kUnsupported},
    // Cyrillic
    {"cp866", &kIbm866},
    {"ibm866", &kIbm866},
    {"iso-8859-5", &kIso8859_5},
    {"csISOLatinCyrillic", &kIso8859_5},
    {"cyrillic", &kIso8859_5},
    {"ISO_8859-5", &kIso8859_5},
    {"ISO_8859-5:1988", &kIso8859_5},
    {"iso-ir-144", &kIso8859_5},
    {"koi8-r", &kKoi8R},
    {"csKOI8R", &kKoi8R},
    {"koi", &kKoi8R},
    {"koi8", &kKoi8R},
    {"koi8r", &kKoi8R},
    {"koi8-u", &kKoi8U},
    {"koi8-ru", &kKoi8U},
    {"x-mac-cyrillic", &kMacCyrillic},
    {"windows-1251", &kCp1251},
    {"x-cp1251", &kCp1251},
    {"x-Europa", &kUnsupported},
    {"x-IA5-German", &kIa5German},
    // Greek
    {"ibm737", &kCp737},
    {"iso-8859-7", &kIso8859_7},
    {"csISOLatinGreek", &kIso8859_7},
    {"ECMA-118", &kIso8859_7},
    {"ELOT_928", &kIso8859_7},
    {"greek", &kIso8859_7},
    {"greek8", &kIso8859_7},
    {"ISO_8859-7", &kIso8859_7},
    {"ISO_8859-7:1987", &kIso8859_7},
    {"iso-ir-126", &kIso8859_7},
    {"x-mac-greek", &kUnsupported},
    {"windows-1253", &kCp1253},
    {"ibm869", &kIbm869},
    // Hebrew
    {"DOS-862", &kIbm862},
    {"iso-8859-8-i", &kIso8859_8},
    {"logical", &kIso8859_8},
    {"ISO_8859-8-I", &kIso8859_8},
    {"iso-8859-8", &kIso8859_8},
    {"csISOLatinHebrew", &kIso8859_8},
    {"hebrew", &kIso8859_8},
    {"ISO_8859-8", &kIso8859_8},
    {"ISO_8859-8:1988", &kIso8859_8},
    {"iso-ir-138", &kIso8859_8},
    {"visual", &kIso8859_8},
    {"x-mac-hebrew", &kUnsupported},
    {"windows-1255", &kCp1255},
    // IBM EBCDIC
    {"x-EBCDIC-Arabic", &kIbm420},
    {"x-EBCDIC-CyrillicRussian", &kIbm880},
    {"x-EBCDIC-CyrillicSerbianBulgarian", &kIbm1025},
    {"x-EBCDIC-DenmarkNorway", &kIbm277},
    {"x-ebcdic-denmarknorway-euro", &kIbm1142},
    {"x-EBCDIC-FinlandSweden", &kIbm278},
    {"x-ebcdic-finlandsweden-euro", &kIbm1143},
    {"X-EBCDIC-France", &kIbm297},  // listed under finlandsweden-euro by the appendix
    {"x-ebcdic-france-euro", &kIbm1147},
    {"x-EBCDIC-Germany", &kIbm273},
    {"x-ebcdic-germany-euro", &kIbm1141},
    {"x-EBCDIC-GreekModern", &kIbm875},
    {"x-EBCDIC-Greek", &kIbm423},
    {"x-EBCDIC-Hebrew", &kIbm424},
    {"x-EBCDIC-Icelandic", &kIbm871},
    {"x-ebcdic-icelandic-euro", &kIbm1149},
    {"x-ebcdic-international-euro", &kIbm1148},
    {"x-EBCDIC-Italy", &kIbm280},
    {"x-ebcdic-italy-euro", &kIbm1144},
    {"x-EBCDIC-JapaneseAndKana", &kIbm930},
    {"x-EBCDIC-JapaneseAndJapaneseLatin", &kIbm939},
    {"x-EBCDIC-JapaneseAndUSCanada", &kUnsupported},  // IBM931: not in glibc
    {"x-EBCDIC-JapaneseKatakana", &kIbm290},
    {"x-EBCDIC-KoreanAndKoreanExtended", &kIbm933},
    {"x-EBCDIC-KoreanExtended", &kUnsupported},  // IBM833: not in glibc
    {"CP870", &kIbm870},
    {"x-EBCDIC-SimplifiedChinese", &kIbm935},
    {"X-EBCDIC-Spain", &kIbm284},
    {"x-ebcdic-spain-euro", &kIbm1145},
    {"x-EBCDIC-Thai", &kUnsupported},  // IBM838: not in glibc
    {"x-EBCDIC-TraditionalChinese", &kIbm937},
    {"CP1026", &kIbm1026},
    {"x-EBCDIC-Turkish", &kIbm905},
    {"x-EBCDIC-UK", &kIbm285},
    {"x-ebcdic-uk-euro", &kIbm1146},
    {"ebcdic-cp-us", &kIbm037},
    {"x-ebcdic-cp-us-euro", &kIbm1140},
    // Icelandic
    {"ibm861", &kIbm861},
    {"x-mac-icelandic", &kMacIcelandic},
    // Indian (ISCII: not in glibc)
    {"x-iscii-as", &kUnsupported},
    {"x-iscii-be", &kUnsupported},
    {"x-iscii-de", &kUnsupported},
    {"x-iscii-gu", &kUnsupported},
    {"x-iscii-ka", &kUnsupported},
    {"x-iscii-ma", &kUnsupported},
    {"x-iscii-or", &kUnsupported},
    {"x-iscii-pa", &kUnsupported},
    {"x-iscii-ta", &kUnsupported},
    {"x-iscii-te", &kUnsupported},
    // Japanese
    {"euc-jp", &kEucJp},
    {"csEUCPkdFmtJapanese", &kEucJp},
    {"Extended_UNIX_Code_Packed_Format_for_Japanese", &kEucJp},
    {"x-euc", &kEucJp},
    {"x-euc-jp", &kEucJp},
    {"iso-2022-jp", &kIso2022Jp},
    {"_iso-2022-jp$SIO", &kIso2022Jp},
    {"csISO2022JP", &kIso2022Jp},
    {"_iso-2022-jp", &kIso2022Jp},
    {"x-mac-japanese", &kUnsupported},
    {"shift_jis", &kCp932},
    {"csShiftJIS", &kCp932},
    {"csWindows31J", &kCp932},
    {"ms_Kanji", &kCp932},
    {"shift-jis", &kCp932},
    {"x-ms-cp932", &kCp932},
    {"x-sjis", &kCp932},
    // Korean
    {"ks_c_5601-1987", &kCp949},
    {"csKSC56011987", &kCp949},
    {"euc-kr", &kCp949},
    {"iso-ir-149", &kCp949},
    {"korean", &kCp949},
    {"ks_c_5601", &kCp949},
    {"ks_c_5601_1987", &kCp949},
    {"ks_c_5601-1989", &kCp949},
    {"KSC_5601", &kCp949},
    {"KSC5601", &kCp949},
    {"csEUCKR", &kCp949},
    {"iso-2022-kr", &kIso2022Kr},
    {"csISO2022KR", &kIso2022Kr},
    {"Johab", &kJohab},
    {"x-mac-korean", &kUnsupported},
    // Latin 3, Latin 9
    {"iso-8859-3", &kIso8859_3},
    {"csISOLatin3", &kIso8859_3},
    {"ISO_8859-3", &kIso8859_3},
    {"ISO_8859-3:1988", &kIso8859_3},
    {"iso-ir-109", &kIso8859_3},
    {"l3", &kIso8859_3},
    {"latin3", &kIso8859_3},
    {"iso-8859-15", &kIso8859_15},
    {"csISOLatin9", &kIso8859_15},
    {"ISO_8859-15", &kIso8859_15},
    {"l9", &kIso8859_15},
    {"latin9", &kIso8859_15},
    // Norwegian, OEM United States, Swedish
    {"x-IA5-Norwegian", &kIa5Norwegian},
    {"IBM437", &kIbm437},
    {"437", &kIbm437},
    {"cp437", &kIbm437},
    {"csPC8", &kIbm437},
    {"CodePage437", &kIbm437},
    {"x-IA5-Swedish", &kIa5Swedish},
    // Thai
    {"windows-874", &kCp874},
    {"DOS-874", &kCp874},
    {"iso-8859-11", &kCp874},
    {"TIS-620", &kCp874},
    // Turkish
    {"ibm857", &kIbm857},
    {"iso-8859-9", &kIso8859_9},
    {"csISOLatin5", &kIso8859_9},
    {"ISO_8859-9", &kIso8859_9},
    {"ISO_8859-9:1989", &kIso8859_9},
    {"iso-ir-148", &kIso8859_9},
    {"l5", &kIso8859_9},
    {"latin5", &kIso8859_9},
    {"x-mac-turkish", &kUnsupported},
    {"windows-1254", &kCp1254},
    // Unicode
    {"unicode", &kUtf16Le},
    {"utf-16", &kUtf16Le},
    {"unicodeFFFE", &kUtf16Be},
    {"utf-7", &kUtf7},
    {"csUnicode11UTF7", &kUtf7},
    {"unicode-1-1-utf-7", &kUtf7},
    {"x-unicode-2-0-utf-7", &kUtf7},
    {"utf-8", &kUtf8},
    {"unicode-1-1-utf-8", &kUtf8},
    {"unicode-2-0-utf-8", &kUtf8},
    {"x-unicode-2-0-utf-8", &kUtf8},
    // US-ASCII
    {"us-ascii", &kAscii},
    {"ANSI_X3.4-1968", &kAscii},
    {"ANSI_X3.4-1986", &kAscii},
    {"ascii", &kAscii},
    {"cp367", &kAscii},
    {"csASCII", &kAscii},
    {"IBM367", &kAscii},
    {"ISO_646.irv:1991", &kAscii},
    {"ISO646-US", &kAscii},
    {"iso-ir-6us", &kAscii},
    {"iso-ir-6", &kAscii},  // listed under Windows-1252 by the appendix
    {"us", &kAscii},        // listed under Windows-1252 by the appendix
    // Vietnamese
    {"windows-1258", &kCp1258},
    // Western European
    {"ibm850", &kIbm850},
    {"x-IA5", &kAscii},  // IA5 IRV; see docs/charsets.md
    {"iso-8859-1", &kLatin1},
    {"cp819", &kLatin1},
    {"csISOLatin1", &kLatin1},
    {"ibm819", &kLatin1},
    {"iso_8859-1", &kLatin1},
    {"iso_8859-1:1987", &kLatin1},
    {"iso8859-1", &kLatin1},
    {"iso-ir-100", &kLatin1},
    {"l1", &kLatin1},
    {"latin1", &kLatin1},
    {"macintosh", &kMacRoman},
    {"Windows-1252", &kCp1252},
    {"x-ansi", &kCp1252},

    // Added here (not in the appendix): Ruffle's and OpenFL's UTF-16 labels, the cpNNNN names of
    // the Windows code pages, .NET's names of the EBCDIC code pages and the remaining ISO-8859s.
    {"utf-16le", &kUtf16Le},
    {"utf-16be", &kUtf16Be},
    {"csPC8CodePage437", &kIbm437},  // IANA's alias, split in two by the appendix
    {"cp874", &kCp874},
    {"cp932", &kCp932},
    {"windows-31j", &kCp932},
    {"sjis", &kCp932},
    {"cp936", &kCp936},
    {"cp949", &kCp949},
    {"cp950", &kCp950},
    {"cp1250", &kCp1250},
    {"cp1251", &kCp1251},
    {"cp1252", &kCp1252},
    {"cp1253", &kCp1253},
    {"cp1254", &kCp1254},
    {"cp1255", &kCp1255},
    {"cp1257", &kCp1257},
    {"cp1258", &kCp1258},
    {"iso-8859-10", &kIso8859_10},
    {"iso-8859-13", &kIso8859_13},
    {"iso-8859-14", &kIso8859_14},
    {"iso-8859-16", &kIso8859_16},
    {"IBM037", &kIbm037},
    {"IBM273", &kIbm273},
    {"IBM277", &kIbm277},
    {"IBM278", &kIbm278},
    {"IBM280", &kIbm280},
    {"IBM284", &kIbm284},
    {"IBM285", &kIbm285},
    {"IBM290", &kIbm290},
    {"IBM297", &kIbm297},
    {"IBM420", &kIbm420},
    {"IBM423", &kIbm423},
    {"IBM424", &kIbm424},
    {"IBM500", &kIbm500},
    {"IBM870", &kIbm870},
    {"IBM871", &kIbm871},
    {"cp875", &kIbm875},
    {"IBM880", &kIbm880},
    {"IBM905", &kIbm905},
    {"IBM1026", &kIbm1026},
    {"IBM01140", &kIbm1140},
    {"IBM01141", &kIbm1141},
    {"IBM01142", &kIbm1142},
    {"IBM01143", &kIbm1143},
    {"IBM01144", &kIbm1144},
    {"IBM01145", &kIbm1145},
    {"IBM01146", &kIbm1146},
    {"IBM01147", &kIbm1147},
    {"IBM01148", &kIbm1148},
    {"IBM01149", &kIbm1149},
};

constexpr std::size_t kMaxLabel = 64;

constexpr char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

struct SortedLabel {
  std::array<char, kMaxLabel> name;
  std::size_t size;
  const Codec* codec;
  std::string_view view() const { return {name.data(), size}; }
};

// The labels lower-cased and sorted once, for a binary search per call.
const std::vector<SortedLabel>& sortedLabels() {
  static const std::vector<SortedLabel> table = [] {
    std::vector<SortedLabel> t;
    t.reserve(std::size(kLabels));
    for (const Label& l : kLabels) {
      assert(l.name.size() < kMaxLabel);
      SortedLabel s{{}, l.name.size(), l.codec};
      std::transform(l.name.begin(), l.name.end(), s.name.begin(), lower);
      t.push_back(s);
    }
    std::sort(t.begin(), t.end(),
              [](const SortedLabel& a, const SortedLabel& b) { return a.view() < b.view(); });
    assert(std::adjacent_find(t.begin(), t.end(), [](const SortedLabel& a, const SortedLabel& b) {
             return a.view() == b.view();
           }) == t.end());
    return t;
  }();
  return table;
}

// findCodec returns the codec for `label`, or UTF-8 for an unknown label (never the OS code page).
const Codec& findCodec(std::string_view label) {
  if (label.size() >= kMaxLabel) return kUtf8;
  std::array<char, kMaxLabel> buf;
  std::transform(label.begin(), label.end(), buf.begin(), lower);
  std::string_view key(buf.data(), label.size());
  const auto& table = sortedLabels();
  auto it = std::lower_bound(table.begin(), table.end(), key,
                             [](const SortedLabel& a, std::string_view k) { return a.view() < k; });
  return it != table.end() && it->view() == key ? *it->codec : kUtf8;
}

// --- UTF-8 input ---------------------------------------------------------------------------

bool isSurrogate(std::uint32_t cp) {
  return cp >= 0xD800 && cp <= 0xDFFF;
}

const std::uint8_t* bytesOf(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

// scalarText returns `text` with every byte that starts no well-formed sequence, and every encoded
// surrogate, replaced by '?', so that the iconv engines see valid UTF-8 only. `storage` holds the
// copy when one is needed.
std::string_view scalarText(std::string_view text, std::string& storage) {
  const std::uint8_t* p = bytesOf(text);
  std::size_t n = text.size(), i = 0;
  std::uint32_t cp = 0;
  while (i < n) {
    std::size_t len = decodeUtf8Char(p + i, n - i, &cp);
    if (len == 0 || isSurrogate(cp)) break;
    i += len;
  }
  if (i == n) return text;  // the usual case: no copy
  storage.assign(text.data(), i);
  while (i < n) {
    std::size_t len = decodeUtf8Char(p + i, n - i, &cp);
    if (len == 0 || isSurrogate(cp)) {
      storage += '?';
      i += len == 0 ? 1 : len;
    } else {
      storage.append(text.data() + i, len);
      i += len;
    }
  }
  return storage;
}

// --- native codecs -------------------------------------------------------------------------

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

void cutAtNul(std::string& s) {
  std::size_t nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
}

std::string decodeSingleByte(const std::uint8_t* bytes, std::size_t n, std::uint32_t limit) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n && bytes[i] != 0; ++i) {
    if (bytes[i] < limit) {
      appendCodePoint(out, bytes[i]);
    } else {
      out += kReplacement;
    }
  }
  return out;
}

std::string encodeSingleByte(std::string_view text, std::uint32_t limit) {
  std::string out;
  out.reserve(text.size());
  const std::uint8_t* p = bytesOf(text);
  std::size_t i = 0;
  std::uint32_t cp = 0;
  while (i < text.size()) {
    std::size_t len = decodeUtf8Char(p + i, text.size() - i, &cp);
    out += len != 0 && cp < limit ? static_cast<char>(cp) : '?';
    i += len == 0 ? 1 : len;
  }
  return out;
}

void appendUnit(std::string& out, std::uint32_t unit, bool bigEndian) {
  char hi = static_cast<char>(unit >> 8), lo = static_cast<char>(unit & 0xFF);
  out += bigEndian ? hi : lo;
  out += bigEndian ? lo : hi;
}

std::string encodeUtf16(std::string_view text, bool bigEndian) {
  std::string out;
  out.reserve(text.size() * 2);
  const std::uint8_t* p = bytesOf(text);
  std::size_t i = 0;
  std::uint32_t cp = 0;
  while (i < text.size()) {
    std::size_t len = decodeUtf8Char(p + i, text.size() - i, &cp);
    if (len == 0) {
      appendUnit(out, '?', bigEndian);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      appendUnit(out, 0xD800 + ((cp - 0x10000) >> 10), bigEndian);
      appendUnit(out, 0xDC00 + ((cp - 0x10000) & 0x3FF), bigEndian);
    } else {
      appendUnit(out, cp, bigEndian);  // an encoded surrogate becomes the lone unit
    }
    i += len;
  }
  return out;
}

// --- iconv ---------------------------------------------------------------------------------

const iconv_t kNoConverter = reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1));

// Converters opened by this thread, closed when it exits. Failed opens are remembered too.
class ConverterCache {
 public:
  ConverterCache() = default;
  ConverterCache(const ConverterCache&) = delete;
  ConverterCache& operator=(const ConverterCache&) = delete;
  ~ConverterCache() {
    for (const Entry& e : entries_)
      if (e.cd != kNoConverter) iconv_close(e.cd);
  }
  iconv_t get(const Codec* codec, bool toUtf8) {
    for (const Entry& e : entries_)
      if (e.codec == codec && e.toUtf8 == toUtf8) return e.cd;
    iconv_t cd = toUtf8 ? iconv_open("UTF-8", codec->engine) : iconv_open(codec->engine, "UTF-8");
    entries_.push_back({codec, toUtf8, cd});
    return cd;
  }

 private:
  struct Entry {
    const Codec* codec;
    bool toUtf8;
    iconv_t cd;
  };
  std::vector<Entry> entries_;
};

// A converter in its initial state: the thread's cached one, or for the kIconvFresh codecs a new
// one (glibc's ISO-2022-KR, for one, writes its header only on a converter's first call).
class Converter {
 public:
  Converter(const Codec& codec, bool toUtf8) : fresh_(codec.kind == Kind::kIconvFresh) {
    if (fresh_) {
      cd_ = toUtf8 ? iconv_open("UTF-8", codec.engine) : iconv_open(codec.engine, "UTF-8");
    } else {
      thread_local ConverterCache cache;
      cd_ = cache.get(&codec, toUtf8);
      if (cd_ != kNoConverter) iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset state
    }
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  ~Converter() {
    if (fresh_ && cd_ != kNoConverter) iconv_close(cd_);
  }
  bool ok() const { return cd_ != kNoConverter; }

  // run converts all of [in, in + left) (or, with in == nullptr, flushes the shift state) and
  // appends the output; it returns 0, or errno (EILSEQ, EINVAL) with in/left at the failure.
  int run(const char*& in, std::size_t& left, std::string& out) {
    char buf[1024];
    for (;;) {
      char* o = buf;
      std::size_t room = sizeof buf;
      char* p = const_cast<char*>(in);
      std::size_t r = in != nullptr ? iconv(cd_, &p, &left, &o, &room)
                                    : iconv(cd_, nullptr, nullptr, &o, &room);
      int err = r == static_cast<std::size_t>(-1) ? errno : 0;
      if (in != nullptr) in = p;
      out.append(buf, static_cast<std::size_t>(o - buf));
      if (err != E2BIG) return err;  // E2BIG: buf is full, and made progress
    }
  }
  void flush(std::string& out) {
    const char* none = nullptr;
    std::size_t zero = 0;
    run(none, zero, out);
  }

 private:
  bool fresh_;
  iconv_t cd_ = kNoConverter;
};

// decodeIconv decodes with `codec`; each byte the codec rejects becomes U+FFFD. Not cut at NUL.
std::string decodeIconv(const Codec& codec, const std::uint8_t* bytes, std::size_t n) {
  Converter cv(codec, true);
  if (!cv.ok()) return decodeUtf8Text(bytes, n);  // missing gconv module: as unsupported
  std::string out;
  out.reserve(n + n / 2);
  const char* in = reinterpret_cast<const char*>(bytes);
  std::size_t left = n;
  while (left > 0) {
    int err = cv.run(in, left, out);
    if (err == 0) break;
    if (err != EILSEQ && err != EINVAL) break;
    out += kReplacement;  // skip one byte and go on
    ++in;
    --left;
  }
  cv.flush(out);  // glibc's CP1255/CP1258 hold back a character that a diacritic could follow
  return out;
}

// encodeIconv encodes valid UTF-8 with `codec`; a character it lacks becomes the codec's '?'.
std::string encodeIconv(const Codec& codec, std::string_view valid) {
  Converter cv(codec, false);
  if (!cv.ok()) return std::string(valid);  // missing gconv module: as unsupported
  std::string out;
  out.reserve(valid.size());
  const char* in = valid.data();
  std::size_t left = valid.size();
  while (left > 0) {
    int err = cv.run(in, left, out);
    if (err == 0 || left == 0 || (err != EILSEQ && err != EINVAL)) break;
    std::uint32_t cp = 0;
    std::size_t len = decodeUtf8Char(reinterpret_cast<const std::uint8_t*>(in), left, &cp);
    len = std::max<std::size_t>(len, 1);
    in += len;
    left -= len;
    const char* q = "?";  // through the codec: EBCDIC's '?' is 0x6F, and shift states hold
    std::size_t qLeft = 1;
    cv.run(q, qLeft, out);
  }
  cv.flush(out);  // back to the initial shift state (ISO-2022, UTF-7, EBCDIC SO/SI)
  return out;
}

// glibc's CP1255 and CP1258 decoders join a letter and the diacritic after it into one precomposed
// character; Windows does not. Decoding through a table of the bytes decoded one at a time keeps
// every byte one character, as on Windows.
class ByteTable {
 public:
  explicit ByteTable(const Codec& codec) {
    for (unsigned b = 1; b < 256; ++b) {
      auto byte = static_cast<std::uint8_t>(b);
      chars_[b] = decodeIconv(codec, &byte, 1);
    }
  }
  std::string decode(const std::uint8_t* bytes, std::size_t n) const {
    std::string out;
    out.reserve(n + n / 2);
    for (std::size_t i = 0; i < n && bytes[i] != 0; ++i) out += chars_[bytes[i]];
    return out;
  }

 private:
  std::array<std::string, 256> chars_;
};

const ByteTable& byteTable(const Codec& codec) {
  static const ByteTable cp1255(kCp1255), cp1258(kCp1258);
  return &codec == &kCp1255 ? cp1255 : cp1258;
}

// --- HZ (RFC 1843) -------------------------------------------------------------------------

std::string decodeHz(const std::uint8_t* p, std::size_t n) {
  std::string out, gb;  // gb: the pending GB 2312 pairs, as EUC-CN
  auto flushGb = [&] {
    if (!gb.empty()) out += decodeIconv(kEucCn, bytesOf(gb), gb.size());
    gb.clear();
  };
  bool gbMode = false;
  std::size_t i = 0;
  while (i < n) {
    std::uint8_t b = p[i];
    std::uint8_t next = i + 1 < n ? p[i + 1] : 0;
    if (b == '~' && (next == '{' || next == '}')) {
      flushGb();
      gbMode = next == '{';
      i += 2;
    } else if (gbMode) {
      if (b >= 0x21 && b <= 0x7E && next >= 0x21 && next <= 0x7E) {
        gb += static_cast<char>(b | 0x80);
        gb += static_cast<char>(next | 0x80);
        i += 2;
        continue;
      }
      flushGb();
      if (b == '\n' || b == '\r') {  // a line ends GB mode
        gbMode = false;
        out += static_cast<char>(b);
      } else {
        out += kReplacement;
      }
      ++i;
    } else if (b == '~' && next == '~') {
      out += '~';
      i += 2;
    } else if (b == '~' && next == '\n') {  // line continuation
      i += 2;
    } else {
      if (b < 0x80 && b != '~') {
        out += static_cast<char>(b);
      } else {
        out += kReplacement;
      }
      ++i;
    }
  }
  flushGb();
  return out;
}

std::string encodeHz(std::string_view valid) {
  // EUC-CN holds ASCII as it is and GB 2312 as pairs of bytes 0xA1..0xFE; HZ writes the pairs
  // with the high bits cleared between ~{ and ~}, and '~' as ~~.
  std::string euc = encodeIconv(kEucCn, valid);
  std::string out;
  out.reserve(euc.size() + 8);
  bool gbMode = false;
  for (std::size_t i = 0; i < euc.size(); ++i) {
    auto b = static_cast<std::uint8_t>(euc[i]);
    if (b >= 0x80 && i + 1 < euc.size()) {
      if (!gbMode) out += "~{";
      gbMode = true;
      out += static_cast<char>(b & 0x7F);
      out += static_cast<char>(euc[++i] & 0x7F);
      continue;
    }
    if (gbMode) out += "~}";
    gbMode = false;
    if (b == '~') out += '~';
    out += static_cast<char>(b);
  }
  if (gbMode) out += "~}";
  return out;
}

}  // namespace

std::string decodeMultiByte(const std::uint8_t* bytes, std::size_t n, std::string_view charSet) {
  if (n == 0) return {};
  const Codec& codec = findCodec(charSet);
  std::string out;
  switch (codec.kind) {
    case Kind::kUtf8:
      return decodeUtf8Text(bytes, n);  // already cut at NUL
    case Kind::kUtf16Le:
    case Kind::kUtf16Be:
      return decodeUtf16(bytes, n, codec.kind == Kind::kUtf16Be, true);
    case Kind::kLatin1:
      return decodeSingleByte(bytes, n, 0x100);
    case Kind::kAscii:
      return decodeSingleByte(bytes, n, 0x80);
    case Kind::kHz:
      out = decodeHz(bytes, n);
      break;
    case Kind::kIconvBytes:
      return byteTable(codec).decode(bytes, n);  // already cut at NUL
    case Kind::kIconv:
    case Kind::kIconvFresh:
      out = decodeIconv(codec, bytes, n);
      break;
  }
  cutAtNul(out);
  return out;
}

std::string encodeMultiByte(std::string_view text, std::string_view charSet) {
  if (text.empty()) return {};
  const Codec& codec = findCodec(charSet);
  std::string storage;
  switch (codec.kind) {
    case Kind::kUtf8:
      return std::string(text);
    case Kind::kUtf16Le:
    case Kind::kUtf16Be:
      return encodeUtf16(text, codec.kind == Kind::kUtf16Be);
    case Kind::kLatin1:
      return encodeSingleByte(text, 0x100);
    case Kind::kAscii:
      return encodeSingleByte(text, 0x80);
    case Kind::kHz:
      return encodeHz(scalarText(text, storage));
    case Kind::kIconv:
    case Kind::kIconvBytes:
    case Kind::kIconvFresh:
      break;
  }
  return encodeIconv(codec, scalarText(text, storage));
}

}  // namespace as3::utils::detail
