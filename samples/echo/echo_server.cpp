// echo_server: an AIR ServerSocket that sends every byte a client sends straight back.
//
//   sample_echo_server [PORT [ADDRESS]]
//
// PORT 0 (the default) lets the operating system choose one; the first line printed says which:
// "echo_server: listening on 127.0.0.1:PORT". ADDRESS defaults to 127.0.0.1, the loopback
// interface only; "0.0.0.0" takes connections from the network too. Stop it with Ctrl-C.
//
// The AS3 this ports is the classic AIR echo server:
//
//   server.addEventListener(ServerSocketConnectEvent.CONNECT, onConnect);
//   server.bind(port, "127.0.0.1");
//   server.listen();
//   function onConnect(event:ServerSocketConnectEvent):void {
//     var client:Socket = event.socket;
//     client.addEventListener(ProgressEvent.SOCKET_DATA, onClientData);
//     client.addEventListener(Event.CLOSE, onClientClose);
//     clients.push(client);                    // or the garbage collector closes it
//   }
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"
#include "as3/utils/ByteArray.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::ServerSocket;
using as3::net::Socket;
using as3::utils::ByteArray;

namespace {

// EchoServer is written as the AS3 class would be: member functions are the listeners, bound
// with as3::events::listener(this, &EchoServer::method). Those bindings hold a raw `this`, so
// the EchoServer must outlive its ServerSocket and every client socket: it owns all of them.
class EchoServer {
 public:
  explicit EchoServer(EventLoop& loop) : server_(loop) {
    server_.addEventListener(ServerSocketConnectEvent::CONNECT,
                             as3::events::listener(this, &EchoServer::onConnect));
  }

  // start binds and listens. Both throw as3::errors::IOError #2002 with the OS's reason (port
  // in use, no privilege); bind throws ArgumentError #2004 for an address that is not an IP.
  void start(int port, const std::string& address) {
    server_.bind(port, address);
    server_.listen();
    // localPort() is the port the OS chose when we asked for 0.
    std::printf("echo_server: listening on %s:%d\n", server_.localAddress().c_str(),
                server_.localPort());
  }

 private:
  struct Client {
    std::shared_ptr<Socket> socket;
    std::string name;  // "address:port", kept because remoteAddress() is "" once it is closed
  };

  // A client connected. The event carries an already connected Socket (no Event::CONNECT
  // follows on it). It is shared: whoever keeps the shared_ptr keeps the connection, and one
  // nobody keeps is closed when this listener returns, as AIR collects an unreferenced socket.
  void onConnect(ServerSocketConnectEvent& event) {
    std::shared_ptr<Socket> socket = event.socket();
    // remoteAddress() is "" when the client reset the connection before it was accepted; its
    // ioError follows at once.
    std::string name = socket->remoteAddress().empty()
                           ? std::string("a client already gone")
                           : socket->remoteAddress() + ":" + std::to_string(socket->remotePort());
    socket->addEventListener(ProgressEvent::SOCKET_DATA,
                             as3::events::listener(this, &EchoServer::onClientData));
    socket->addEventListener(Event::CLOSE, as3::events::listener(this, &EchoServer::onClientClose));
    // Always listen for ioError: one nobody hears is an uncaught error (#2044), which would
    // make loop.run() throw, as an unhandled IOErrorEvent stops an AIR application's code.
    socket->addEventListener(IOErrorEvent::IO_ERROR,
                             as3::events::listener(this, &EchoServer::onClientError));
    clients_.push_back({std::move(socket), name});
    std::printf("echo_server: %s connected (%zu connected)\n", name.c_str(), clients_.size());
  }

  // Bytes arrived: send them all back. event.target() is the Socket that dispatched, as in AS3
  // (`var client:Socket = event.target as Socket;`), so one listener serves every client.
  void onClientData(ProgressEvent& event) {
    auto* client = dynamic_cast<Socket*>(event.target());
    ByteArray bytes;
    client->readBytes(bytes);  // length 0: everything available
    client->writeBytes(bytes);
    client->flush();  // writes only fill a buffer; flush() hands it to the network
  }

  // The client closed its end. Event::CLOSE reports the peer's closes only, never our own.
  void onClientClose(Event& event) {
    drop(dynamic_cast<Socket*>(event.target()), "closed the connection");
  }

  // The connection broke (reset, send failure). Nothing follows an ioError on this socket.
  void onClientError(IOErrorEvent& event) {
    drop(dynamic_cast<Socket*>(event.target()), event.text());
  }

  // drop forgets a client. Erasing the last shared_ptr destroys the Socket while its own
  // listener is still on the stack; as3net allows that (no listener of it runs afterwards),
  // as AS3 code may drop its last reference there. Nothing may touch `socket` after erase().
  void drop(Socket* socket, const std::string& why) {
    auto it = std::find_if(clients_.begin(), clients_.end(),
                           [socket](const Client& c) { return c.socket.get() == socket; });
    if (it == clients_.end()) return;
    std::string name = std::move(it->name);
    clients_.erase(it);
    std::printf("echo_server: %s: %s (%zu connected)\n", name.c_str(), why.c_str(),
                clients_.size());
  }

  ServerSocket server_;
  std::vector<Client> clients_;
};

int parsePort(const char* text) {
  char* end = nullptr;
  long port = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || port < 0 || port > 65535) {
    std::fprintf(stderr, "echo_server: bad port \"%s\"\nusage: echo_server [PORT [ADDRESS]]\n",
                 text);
    std::exit(2);
  }
  return static_cast<int>(port);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 3) {
    std::fprintf(stderr, "usage: echo_server [PORT [ADDRESS]]\n");
    return 2;
  }
  int port = argc > 1 ? parsePort(argv[1]) : 0;
  std::string address = argc > 2 ? argv[2] : "127.0.0.1";
  // Line-buffered even into a pipe, so a script waiting for the port line sees it at once.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  // The loop must outlive everything that uses it: declare it first, so it is destroyed last.
  EventLoop loop;
  EchoServer server(loop);
  try {
    server.start(port, address);
    // run() returns only when nothing is left to do; a listening server always has something,
    // so this serves until the process is stopped. It rethrows what a listener throws.
    loop.run();
  } catch (const as3::errors::Error& e) {
    // Synchronous AS3 errors: a bind failure, or one escaping a listener. errorID() is AS3's.
    std::fprintf(stderr, "echo_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
