#pragma once
// The public C++ API of Switchboard.
//
//   #include "switchboard.hpp"
//
//   switchboard::Server io({.port = 3000});
//   io.of("/chat").use([](const switchboard::SocketPtr& s, switchboard::Next next) { next(std::nullopt); });
//   io.on_connection([](const switchboard::SocketPtr& socket) {
//     socket->join("lobby");
//     socket->on("chat", [socket](switchboard::Args& args, switchboard::Ack ack) {
//       socket->to("lobby").emit("chat", args);
//       if (ack) ack(switchboard::Args::of("delivered"));
//     });
//   });
//   io.to("lobby").except("muted").emit("news", switchboard::Args::of("hello", 42));
//   io.run();
//
// Arguments are Boost.JSON values; binary values are switchboard::Binary.
// Emitting is safe from any thread; handlers run on the socket's shard.
// switchboard::version() and git_commit() say which library this is.

#include "app/server.hpp"
#include "ingest/consumer.hpp"
#include "ingest/ingest.hpp"
#include "service/realtime_service.hpp"
#include "socketio/args.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"
#include "version.hpp"

namespace switchboard {

using socketio::Ack;
using socketio::AckCallback;
using socketio::AckError;
using socketio::Args;
using socketio::Binary;
using socketio::BroadcastOperator;
using socketio::ConnectError;
using socketio::Middleware;
using socketio::Namespace;
using socketio::Next;
using socketio::RecoveryOptions;
using socketio::RemoteSocket;
using socketio::Socket;
using socketio::SocketPtr;
using service::ClusterPresence;
using service::ClusterStats;
using service::RealtimeService;
using service::ServiceOptions;
using service::SocketUser;
using service::Stats;
using service::JoinAuthorizer;
using service::Message;
using service::MessageType;
using service::Room;
using service::RoomStats;
using store::message_type;

}  // namespace switchboard
