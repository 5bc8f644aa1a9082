// Reading the FlatBuffers tables the engine stores beside the log (schemas/state.fbs): verify
// the bytes before touching them, and parse the JSON payloads they carry. Shared by the
// approval-record and run-snapshot codecs. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <flatbuffers/flatbuffers.h>

#include "base/status.h"

namespace assent::engine {

// The table T at the root of `bytes`, finished with `identifier` and passing the FlatBuffers
// verifier, or nullptr. Bytes that are not 8-byte aligned (a value straight from a RocksDB
// block) are first copied into `*aligned`, which must outlive the returned pointer.
template <typename T>
const T* VerifiedRoot(std::string_view bytes, const char* identifier, std::string* aligned) {
  const char* data = bytes.data();
  if (reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
    aligned->assign(bytes);
    data = aligned->data();
  }
  const auto* buffer = reinterpret_cast<const uint8_t*>(data);
  flatbuffers::Verifier verifier(buffer, bytes.size());
  if (!verifier.VerifyBuffer<T>(identifier)) return nullptr;
  return flatbuffers::GetRoot<T>(buffer);
}

// How deep the JSON the engine stored may nest when it is read back. What goes in nests at most
// 32 levels (request bodies, step outputs), but the engine stores it inside wrappers: a
// snapshot's `steps` object holds every output one level down, and an approval's `show` puts
// values inside the definition's own nesting. Reading with the default limit of 32 turned such
// documents into raw text (a step output became a string) or a corrupt snapshot.
inline constexpr int kMaxStoredJsonDepth = 128;
inline boost::json::parse_options StoredJsonOptions() {
  boost::json::parse_options options;
  options.max_depth = kMaxStoredJsonDepth;
  return options;
}

// The string field as text; empty when absent.
inline std::string_view StoredText(const flatbuffers::String* text) {
  return text == nullptr ? std::string_view() : text->string_view();
}

// The JSON value a string field holds (absent or empty: null); kCorruption naming `field` when
// the text is not JSON.
Result<boost::json::value> StoredJson(const flatbuffers::String* text, std::string_view field);

// A string field holding arbitrary bytes (CreateString, not the NUL-terminated *Direct forms).
inline flatbuffers::Offset<flatbuffers::String> StoreText(flatbuffers::FlatBufferBuilder& builder,
                                                          std::string_view text) {
  return builder.CreateString(text.data(), text.size());
}

// The list of strings field; empty when absent.
inline std::vector<std::string> StoredTexts(
    const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* texts) {
  std::vector<std::string> read;
  if (texts == nullptr) return read;
  read.reserve(texts->size());
  for (const flatbuffers::String* text : *texts) read.emplace_back(StoredText(text));
  return read;
}

}  // namespace assent::engine
