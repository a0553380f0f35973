// ingest::topic_matches against RabbitMQ's topic exchange semantics.

#include <gtest/gtest.h>

#include <string>

#include "ingest/topic.hpp"

using ingest::topic_matches;

TEST(IngestTopic, ExactWords) {
  EXPECT_TRUE(topic_matches("order.created", "order.created"));
  EXPECT_FALSE(topic_matches("order.created", "order.shipped"));
  EXPECT_FALSE(topic_matches("order.created", "order.created.eu"));
  EXPECT_FALSE(topic_matches("order", "order.created"));
}

TEST(IngestTopic, StarIsExactlyOneWord) {
  EXPECT_TRUE(topic_matches("order.*", "order.created"));
  EXPECT_FALSE(topic_matches("order.*", "order"));
  EXPECT_FALSE(topic_matches("order.*", "order.created.eu"));
  EXPECT_TRUE(topic_matches("*.low_stock", "inventory.low_stock"));
  EXPECT_FALSE(topic_matches("*.low_stock", "low_stock"));
  EXPECT_TRUE(topic_matches("*.*", "a.b"));
  EXPECT_TRUE(topic_matches("order.*", "order."));  // an empty word is a word
}

TEST(IngestTopic, HashIsZeroOrMoreWords) {
  EXPECT_TRUE(topic_matches("#", ""));
  EXPECT_TRUE(topic_matches("", ""));
  EXPECT_FALSE(topic_matches("", "a"));
  EXPECT_FALSE(topic_matches("*", ""));
  EXPECT_TRUE(topic_matches("#", "a.b.c"));
  EXPECT_TRUE(topic_matches("order.#", "order"));
  EXPECT_TRUE(topic_matches("order.#", "order.created.eu"));
  EXPECT_TRUE(topic_matches("#.low_stock", "low_stock"));
  EXPECT_TRUE(topic_matches("#.low_stock", "a.b.low_stock"));
  EXPECT_FALSE(topic_matches("#.low_stock", "a.low_stock.b"));
  EXPECT_TRUE(topic_matches("a.#.z", "a.z"));
  EXPECT_TRUE(topic_matches("a.#.z", "a.b.c.z"));
  EXPECT_FALSE(topic_matches("a.#.z", "a.b.c"));
  EXPECT_TRUE(topic_matches("#.*", "a"));
  EXPECT_FALSE(topic_matches("#.*", ""));
  EXPECT_TRUE(topic_matches("a.#.#.b", "a.b"));
}

TEST(IngestTopic, LongHostileKeyIsFast) {
  std::string key;
  for (int i = 0; i < 5000; ++i) key += "a.";
  key += "b";
  EXPECT_FALSE(topic_matches("#.a.#.a.#.c", key));
  EXPECT_TRUE(topic_matches("#.b", key));
}
