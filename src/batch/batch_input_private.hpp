#pragma once

// Reading an OpenAI Batch input file: every line checked before anything is sent. File-level
// problems (unreadable file, duplicate custom_id, mixed or unsupported URLs) refuse the whole
// file; a malformed line becomes an error record for that line and the rest goes on.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/result.hpp"

namespace lemma::detail {

/// One non-blank line of a Batch input file.
struct BatchLine {
  /// 1-based line number in the file.
  std::size_t line = 0;
  /// The line's custom_id; empty when it has no readable one.
  std::string custom_id;
  /// "batch_req_" + a hash of the line's bytes: the result records' `id`, so a resume can tell
  /// whether a finished id's input changed.
  std::string id;
  /// The request, when the line is well-formed.
  std::optional<ChatRequest> request;
  /// Why the line cannot be sent (an invalid_request Error), when it is malformed.
  std::optional<Error> error;
};

/// A whole checked input file.
struct BatchInput {
  /// The lines, in file order (blank lines skipped).
  std::vector<BatchLine> lines;
  /// Warnings (sizes past the OpenAI Batch API's limits).
  std::vector<std::string> warnings;
};

/// The only endpoint a Batch runs.
inline constexpr std::string_view kBatchChatUrl = "/v1/chat/completions";
/// The OpenAI Batch API's limits on one input file (a larger file runs here, with a warning).
inline constexpr std::size_t kOpenAiMaxBatchLines = 50000;
/// 200 MB.
inline constexpr std::uint64_t kOpenAiMaxBatchBytes = 200ull * 1000 * 1000;

/// "batch_req_" + 16 hex digits of a 64-bit FNV-1a hash of `line`.
std::string batch_line_id(std::string_view line);

/// Reads and checks the Batch input at `path`; `default_model` fills bodies without a model.
Result<BatchInput> read_batch_input(const std::string& path, const std::string& default_model);

}  // namespace lemma::detail
