#include "socketio/encode.hpp"

namespace socketio {

adapter::PacketPtr encode_event(const std::string& nsp, const std::string& event, const Args& args,
                                std::optional<std::uint64_t> ack_id) {
  boost::json::array data;
  data.reserve(args.values.size() + 1);
  data.emplace_back(event);
  for (const auto& v : args.values) data.push_back(v);
  Packet packet{PacketType::event, nsp, ack_id, std::move(data), args.buffers};
  auto encoded = std::make_shared<adapter::EncodedPacket>();
  encoded->text = encode_text(packet);
  encoded->attachments = std::move(packet.attachments);
  encoded->event = event;
  encoded->args = args.values;
  return encoded;
}

adapter::PacketPtr encode_remote_event(const std::string& nsp, boost::json::array data,
                                       std::vector<std::string> buffers, std::optional<std::uint64_t> ack_id) {
  if (data.empty() || !data[0].is_string()) return nullptr;
  auto encoded = std::make_shared<adapter::EncodedPacket>();
  encoded->event = data[0].as_string();
  encoded->args = boost::json::array(data.begin() + 1, data.end());
  Packet packet{PacketType::event, nsp, ack_id, std::move(data), std::move(buffers)};
  encoded->text = encode_text(packet);
  encoded->attachments = std::move(packet.attachments);
  return encoded;
}

adapter::EncodedPacket encode_ack(const std::string& nsp, std::uint64_t id, Args args) {
  Packet packet{PacketType::ack, nsp, id, std::move(args.values), std::move(args.buffers)};
  adapter::EncodedPacket encoded;
  encoded.text = encode_text(packet);
  encoded.attachments = std::move(packet.attachments);
  return encoded;
}

}  // namespace socketio
