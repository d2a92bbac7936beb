#include "as3/net/Socket.h"

#include <utility>

#include "amf/detail/Codec.h"
#include "as3/amf/Value.h"
#include "as3/utils/ByteArray.h"
#include "errors/detail/Throw.h"
#include "net/detail/SocketCore.h"

namespace as3::net {

namespace {

std::shared_ptr<detail::SocketCore> makeCore(EventLoop& loop) {
  return std::make_shared<detail::SocketCore>(loop.core());
}

}  // namespace

Socket::Socket() : Socket(EventLoop::getDefault()) {}

Socket::Socket(EventLoop& loop) : Socket(loop, makeCore(loop)) {}

Socket::Socket(std::string_view host, int port) : Socket(EventLoop::getDefault(), host, port) {}

Socket::Socket(EventLoop& loop, std::string_view host, int port) : Socket(loop) {
  connect(host, port);
}

Socket::Socket(EventLoop& loop, std::shared_ptr<detail::SocketCore> core)
    : loop_(&loop), core_(std::move(core)) {
  core_->attach(this);
}

Socket::~Socket() {
  core_->checkThread("Socket::~Socket");
  core_->detach();
}

// --- connecting -----------------------------------------------------------------------------

void Socket::connect(std::string_view host, int port) {
  core_->checkThread("Socket::connect");
  core_->connect(host, port);
}

void Socket::close() {
  core_->checkThread("Socket::close");
  core_->close();
}

void Socket::flush() {
  core_->checkThread("Socket::flush");
  core_->flush();
}

// --- properties -----------------------------------------------------------------------------

bool Socket::connected() const noexcept {
  return core_->connected();
}

std::uint32_t Socket::bytesAvailable() const noexcept {
  return core_->bytesAvailable();
}

std::uint32_t Socket::bytesPending() const noexcept {
  return core_->bytesPending();
}

std::uint32_t Socket::timeout() const noexcept {
  return core_->timeout;
}

void Socket::timeout(std::uint32_t milliseconds) noexcept {
  core_->timeout = milliseconds;
}

std::string Socket::localAddress() const {
  std::string address;
  int port = 0;
  core_->endpoint(false, &address, &port);
  return address;
}

int Socket::localPort() const {
  std::string address;
  int port = 0;
  return core_->endpoint(false, &address, &port) ? port : 0;
}

std::string Socket::remoteAddress() const {
  std::string address;
  int port = 0;
  core_->endpoint(true, &address, &port);
  return address;
}

int Socket::remotePort() const {
  std::string address;
  int port = 0;
  return core_->endpoint(true, &address, &port) ? port : 0;
}

bool Socket::tcpNoDelay() const noexcept {
  return core_->noDelay();
}

void Socket::tcpNoDelay(bool value) {
  core_->checkThread("Socket::tcpNoDelay");
  core_->noDelay(value);
}

utils::Endian Socket::endian() const noexcept {
  return core_->endian;
}

void Socket::endian(utils::Endian value) noexcept {
  core_->endian = value;
}

void Socket::endian(std::string_view value) {
  core_->endian = utils::parseEndian(value);
}

std::uint32_t Socket::objectEncoding() const noexcept {
  return core_->objectEncoding;
}

void Socket::objectEncoding(std::uint32_t value) {
  if (value != utils::ObjectEncoding::AMF0 && value != utils::ObjectEncoding::AMF3)
    errors::detail::throwError(errors::detail::kBadEnumValue, {"objectEncoding"});
  core_->objectEncoding = value;
}

std::uint32_t Socket::outputHighWaterMark() const noexcept {
  return core_->outputHighWaterMark_;
}

void Socket::outputHighWaterMark(std::uint32_t bytes) noexcept {
  core_->outputHighWaterMark_ = bytes;
}

std::uint32_t Socket::inputHighWaterMark() const noexcept {
  return core_->inputHighWaterMark_;
}

void Socket::inputHighWaterMark(std::uint32_t bytes) noexcept {
  core_->inputHighWaterMark_ = bytes;
}

bool Socket::autoFlush() const noexcept {
  return core_->autoFlush_;
}

void Socket::autoFlush(bool value) noexcept {
  core_->autoFlush_ = value;
}

std::string Socket::lookahead(std::uint32_t length) const {
  const utils::detail::ByteStream& in = core_->input();
  std::uint32_t n = std::min(length, in.bytesAvailable());
  if (n == 0) return {};
  return std::string(reinterpret_cast<const char*>(in.data() + in.position()), n);
}

std::string Socket::readAll() {
  core_->checkThread("Socket::readAll");
  utils::detail::ByteStream& in = core_->readable();
  std::uint32_t n = in.bytesAvailable();
  std::string bytes(reinterpret_cast<const char*>(in.take(n)), n);
  core_->consumed();
  return bytes;
}

void Socket::purge() noexcept {
  utils::detail::ByteStream& in = core_->inputForPurge();
  in.setPosition(in.length());
  core_->consumed();
}

void Socket::purgeOutput() noexcept {
  core_->purgeOutput();
}

// --- IDataInput -----------------------------------------------------------------------------
// Each read takes from the input buffer, then lets the core resume reading from the network if
// the buffer had filled up.

bool Socket::readBoolean() {
  bool value = core_->readable().take(1)[0] != 0;
  core_->consumed();
  return value;
}

std::int32_t Socket::readByte() {
  std::int32_t value = static_cast<std::int8_t>(core_->readable().take(1)[0]);
  core_->consumed();
  return value;
}

std::uint32_t Socket::readUnsignedByte() {
  std::uint32_t value = core_->readable().take(1)[0];
  core_->consumed();
  return value;
}

std::int32_t Socket::readShort() {
  auto value =
      static_cast<std::int16_t>(core_->readable().readUnsigned<std::uint16_t>(core_->endian));
  core_->consumed();
  return value;
}

std::uint32_t Socket::readUnsignedShort() {
  std::uint32_t value = core_->readable().readUnsigned<std::uint16_t>(core_->endian);
  core_->consumed();
  return value;
}

std::int32_t Socket::readInt() {
  auto value =
      static_cast<std::int32_t>(core_->readable().readUnsigned<std::uint32_t>(core_->endian));
  core_->consumed();
  return value;
}

std::uint32_t Socket::readUnsignedInt() {
  std::uint32_t value = core_->readable().readUnsigned<std::uint32_t>(core_->endian);
  core_->consumed();
  return value;
}

double Socket::readFloat() {
  double value = core_->readable().readFloat(core_->endian);
  core_->consumed();
  return value;
}

double Socket::readDouble() {
  double value = core_->readable().readDouble(core_->endian);
  core_->consumed();
  return value;
}

void Socket::readBytes(utils::ByteArray& bytes, std::uint32_t offset, std::uint32_t length) {
  core_->readable().readBytesInto(bytes.stream(), offset, length);
  core_->consumed();
}

std::string Socket::readMultiByte(std::uint32_t length, std::string_view charSet) {
  std::string value = core_->readable().readMultiByte(length, charSet);
  core_->consumed();
  return value;
}

std::string Socket::readUTF() {
  utils::detail::ByteStream& in = core_->readable();
  // The length prefix is consumed even when the string is short, as in Flash.
  std::string value;
  try {
    value = in.readUTF(core_->endian);
  } catch (...) {
    core_->consumed();
    throw;
  }
  core_->consumed();
  return value;
}

std::string Socket::readUTFBytes(std::uint32_t length) {
  std::string value = core_->readable().readUTFBytes(length);
  core_->consumed();
  return value;
}

amf::Value Socket::readObject() {
  utils::detail::ByteStream& in = core_->readable();
  amf::Value value;
  try {
    value = amf::detail::readObject(in, core_->objectEncoding, amf::DecodeLimits::defaults());
  } catch (...) {
    core_->consumed();  // a failed value may have consumed its complete fields, as in Flash
    throw;
  }
  core_->consumed();
  return value;
}

// --- IDataOutput ----------------------------------------------------------------------------
// Each write appends to the output buffer, then lets the core check the high-water mark (undoing
// the write past it) and schedule an automatic flush.

void Socket::writeBoolean(bool value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  *out.makeRoom(1) = value ? 1 : 0;
  core_->wrote(before);
}

void Socket::writeByte(std::int32_t value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  *out.makeRoom(1) = static_cast<std::uint8_t>(value);
  core_->wrote(before);
}

void Socket::writeShort(std::int32_t value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeUnsigned(static_cast<std::uint16_t>(value), core_->endian);
  core_->wrote(before);
}

void Socket::writeInt(std::int32_t value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeUnsigned(static_cast<std::uint32_t>(value), core_->endian);
  core_->wrote(before);
}

void Socket::writeUnsignedInt(std::uint32_t value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeUnsigned(value, core_->endian);
  core_->wrote(before);
}

void Socket::writeFloat(double value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeFloat(value, core_->endian);
  core_->wrote(before);
}

void Socket::writeDouble(double value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeDouble(value, core_->endian);
  core_->wrote(before);
}

void Socket::writeBytes(const utils::ByteArray& bytes, std::uint32_t offset, std::uint32_t length) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeBytesFrom(bytes.stream(), offset, length);
  core_->wrote(before);
}

void Socket::writeBytes(const void* bytes, std::size_t length) {
  utils::detail::ByteStream& out = core_->writable();
  if (length > utils::detail::ByteStream::kMaxLength - out.length())
    errors::detail::throwError(errors::detail::kOutOfMemory);
  std::uint32_t before = out.length();
  out.write(bytes, static_cast<std::uint32_t>(length));
  core_->wrote(before);
}

void Socket::writeMultiByte(std::string_view value, std::string_view charSet) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeMultiByte(value, charSet);
  core_->wrote(before);
}

void Socket::writeUTF(std::string_view value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeUTF(value, core_->endian);
  core_->wrote(before);
}

void Socket::writeUTFBytes(std::string_view value) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  out.writeUTFBytes(value);
  core_->wrote(before);
}

void Socket::writeObject(const amf::Value& object) {
  utils::detail::ByteStream& out = core_->writable();
  std::uint32_t before = out.length();
  amf::detail::writeObject(out, object, core_->objectEncoding);
  core_->wrote(before);
}

}  // namespace as3::net
