#pragma once

// The lines of a Batch's result files, in the OpenAI Batch output layout, and reading them back
// on resume.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "batch/batch_input_private.hpp"
#include "lemma/chat.hpp"
#include "lemma/error.hpp"

namespace lemma::detail {

/// A success: {"id", "custom_id", "response": {"status_code": 200, "request_id", "body"},
/// "error": null} with an OpenAI chat.completion body; newline-terminated.
std::string success_record(const BatchLine& line, const ChatResponse& response);
/// A failure: an HTTP error (status >= 400) in the success shape with the error body, anything
/// else as {"id", "custom_id", "response": null, "error": {"code", "message"}, "line"};
/// newline-terminated.
std::string failure_record(const BatchLine& line, const Error& error);

/// One result line read back.
struct ResultRecord {
  /// Its custom_id; empty for a malformed input line that had none.
  std::string custom_id;
  /// Its id ("batch_req_<hash>" when lemma wrote it).
  std::string id;
  /// The input line number, when recorded (failures without an HTTP response).
  std::optional<std::size_t> line;
  /// True for an answered request (HTTP status below 400 and no error).
  bool success = false;
};

/// Reads one result line (OpenAI's, vLLM's or lemma's); nullopt when it is not one.
std::optional<ResultRecord> read_result_record(std::string_view text);

}  // namespace lemma::detail
