#include "redis/protocol.hpp"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <boost/container/small_vector.hpp>
#include <limits>

namespace redis {

bool append_command(std::string& out, std::span<const std::string_view> args) {
  if (args.empty() || args.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  boost::container::small_vector<const char*, 8> argv;
  boost::container::small_vector<std::size_t, 8> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (auto arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* command = nullptr;
  int length = redisFormatCommandArgv(&command, static_cast<int>(args.size()), argv.data(), lengths.data());
  if (length < 0 || !command) return false;
  out.append(command, static_cast<std::size_t>(length));
  redisFreeCommand(command);
  return true;
}

namespace {

using Usage = ReplyReader::Usage;

// hiredis' default object functions (they build redisReply trees), taken from
// a reader made by redisReaderCreate(): hiredis does not export them.
const redisReplyObjectFunctions& default_functions() {
  static const redisReplyObjectFunctions functions = [] {
    redisReader* reader = redisReaderCreate();
    redisReplyObjectFunctions copy = *reader->fn;
    redisReaderFree(reader);
    return copy;
  }();
  return functions;
}

// The reader's privdata reaches the root task; child tasks are found through
// their parents, whatever hiredis copies into them.
Usage& usage_of(const redisReadTask* task) {
  while (task->parent) task = task->parent;
  return *static_cast<Usage*>(task->privdata);
}

// Returning NULL makes hiredis fail the reader ("Out of memory"); `exceeded`
// tells the real reason. The checks come before hiredis allocates anything.
void* create_string(const redisReadTask* task, char* str, size_t len) {
  Usage& usage = usage_of(task);
  usage.bytes += len;
  if (usage.bytes > usage.limits.max_reply_bytes) {
    usage.exceeded = "reply larger than max_reply_bytes";
    return nullptr;
  }
  return default_functions().createString(task, str, len);
}

void* create_array(const redisReadTask* task, int elements) {
  Usage& usage = usage_of(task);
  // A count above INT_MAX reaches us truncated, possibly negative.
  if (elements < 0) {
    usage.exceeded = "invalid array length";
    return nullptr;
  }
  usage.elements += static_cast<std::size_t>(elements);
  if (usage.elements > usage.limits.max_reply_elements) {
    usage.exceeded = "reply with more than max_reply_elements elements";
    return nullptr;
  }
  return default_functions().createArray(task, elements);
}

void* create_integer(const redisReadTask* task, long long value) {
  return default_functions().createInteger(task, value);
}

void* create_nil(const redisReadTask* task) { return default_functions().createNil(task); }

void free_object(void* object) { default_functions().freeObject(object); }

redisReplyObjectFunctions capped_functions = {create_string, create_array, create_integer, create_nil, free_object};

// Memory hiredis may keep idle between replies (its own default is 16 KiB);
// a larger buffer left by a big reply is freed once it is drained.
constexpr std::size_t kIdleBuffer = 64 * 1024;

}  // namespace

ReplyReader::ReplyReader(Limits limits) : reader_(redisReaderCreate()), usage_{limits} {
  if (!reader_) {
    error_ = "out of memory";
    return;
  }
  reader_->fn = &capped_functions;
  reader_->privdata = &usage_;
  reader_->maxbuf = kIdleBuffer;
}

ReplyReader::~ReplyReader() {
  if (reader_) redisReaderFree(reader_);
}

std::size_t ReplyReader::unconsumed() const { return reader_->len - reader_->pos; }

bool ReplyReader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

bool ReplyReader::feed(std::string_view bytes) {
  if (!error_.empty()) return false;
  // A bulk string is buffered whole before hiredis parses it, so the bytes
  // waiting here bound the largest string the server can make us hold.
  if (unconsumed() + bytes.size() > usage_.limits.max_reply_bytes + kIdleBuffer)
    return fail("protocol error: reply larger than max_reply_bytes");
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK)
    return fail(std::string("protocol error: ") + reader_->errstr);
  return true;
}

ReplyReader::Status ReplyReader::next(Reply& out) {
  if (!error_.empty()) return Status::error;
  void* object = nullptr;
  if (redisReaderGetReply(reader_, &object) != REDIS_OK) {
    fail(std::string("protocol error: ") + (usage_.exceeded ? usage_.exceeded : reader_->errstr));
    return Status::error;
  }
  if (!object) {
    if (usage_.bytes + unconsumed() > usage_.limits.max_reply_bytes + kIdleBuffer) {
      fail("protocol error: reply larger than max_reply_bytes");
      return Status::error;
    }
    return Status::incomplete;
  }
  out = Reply::from(*static_cast<const redisReply*>(object));
  freeReplyObject(object);
  usage_.bytes = 0;
  usage_.elements = 0;
  return Status::reply;
}

}  // namespace redis
