#include "batch/batch_input_private.hpp"

#include <cstdio>
#include <fstream>
#include <unordered_map>
#include <utility>

#include "lemma/wire.hpp"

namespace lemma::detail {

namespace {

using nlohmann::json;

Error malformed(std::string field, std::string what) {
  return invalid_request_error(std::move(field), std::move(what));
}

// Fills `out` from one parsed line; returns the line's URL ("" when it has none).
std::string read_line(const std::string& text, const std::string& default_model, BatchLine& out) {
  auto parsed = wire::parse_json(text, "Batch input line");
  if (!parsed) {
    out.error = malformed("", "The line is not valid JSON (or nests deeper than " +
                                  std::to_string(wire::kDefaultMaxJsonDepth) +
                                  " levels); write one JSON object per line.");
    return {};
  }
  json& line = *parsed;
  if (!line.is_object()) {
    out.error = malformed("",
                          "The line is not a JSON object; write one "
                          "{\"custom_id\", \"method\", \"url\", \"body\"} object per line.");
    return {};
  }
  const auto custom_id = line.find("custom_id");
  if (custom_id == line.end() || !custom_id->is_string() ||
      custom_id->get_ref<const std::string&>().empty()) {
    out.error = malformed("custom_id",
                          "The line has no \"custom_id\" string; give every "
                          "request a unique one.");
    return {};
  }
  out.custom_id = custom_id->get<std::string>();
  std::string url;
  if (const auto it = line.find("url"); it != line.end() && it->is_string()) {
    url = it->get<std::string>();
  }
  const auto method = line.find("method");
  if (method == line.end() || !method->is_string() ||
      method->get_ref<const std::string&>() != "POST") {
    out.error = malformed("method", "The line's \"method\" must be \"POST\".");
    return url;
  }
  const auto body = line.find("body");
  if (body == line.end() || !body->is_object()) {
    out.error = malformed("body",
                          "The line has no \"body\" object (the chat-completions "
                          "request).");
    return url;
  }
  auto request = wire::decode_chat_request(std::move(*body));
  if (!request) {
    out.error = std::move(request.error());
    return url;
  }
  if (request->model.empty()) request->model = default_model;
  if (request->model.empty()) {
    out.error = malformed("body.model",
                          "The request body has no \"model\"; add one, or give "
                          "a default model (--model or LEMMA_MODEL).");
    return url;
  }
  out.request = std::move(*request);
  return url;
}

}  // namespace

std::string batch_line_id(std::string_view line) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : line) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::string("batch_req_") + hex;
}

Result<BatchInput> read_batch_input(const std::string& path, const std::string& default_model) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return invalid_request_error("input", "Cannot read the Batch input file \"" + path +
                                              "\"; check the path and its permissions.");
  }
  BatchInput input;
  std::unordered_map<std::string, std::size_t> seen;  // custom_id -> line
  std::string url;
  std::size_t url_line = 0;
  std::uint64_t bytes = 0;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    bytes += text.size() + 1;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    BatchLine line;
    line.line = number;
    line.id = batch_line_id(text);
    const std::string line_url = read_line(text, default_model, line);
    if (!line.custom_id.empty()) {
      const auto [it, fresh] = seen.emplace(line.custom_id, number);
      if (!fresh) {
        return invalid_request_error(
            "custom_id", "The custom_id \"" + line.custom_id + "\" appears on lines " +
                             std::to_string(it->second) + " and " + std::to_string(number) +
                             " of \"" + path + "\"; every request needs its own custom_id.");
      }
    }
    if (!line_url.empty()) {
      if (url.empty()) {
        url = line_url;
        url_line = number;
      } else if (line_url != url) {
        return invalid_request_error(
            "url", "Lines " + std::to_string(url_line) + " and " + std::to_string(number) +
                       " of \"" + path + "\" have different URLs (\"" + url + "\", \"" + line_url +
                       "\"); a Batch file holds requests for one endpoint.");
      }
    } else if (line.request) {
      line.request.reset();
      line.error = malformed("url", std::string("The line has no \"url\"; use \"") +
                                        std::string(kBatchChatUrl) + "\".");
    }
    input.lines.push_back(std::move(line));
  }
  if (in.bad()) {
    return invalid_request_error(
        "input", "Reading the Batch input file \"" + path + "\" failed; check the file.");
  }
  if (!url.empty() && url != kBatchChatUrl) {
    return invalid_request_error("url", "The Batch file \"" + path + "\" asks for \"" + url +
                                            "\"; lemma runs only \"" + std::string(kBatchChatUrl) +
                                            "\" requests.");
  }
  if (input.lines.size() > kOpenAiMaxBatchLines) {
    input.warnings.push_back(std::to_string(input.lines.size()) +
                             " requests: more than the OpenAI Batch API accepts in one file (" +
                             std::to_string(kOpenAiMaxBatchLines) + "); split it to hand it over.");
  }
  if (bytes > kOpenAiMaxBatchBytes) {
    input.warnings.push_back(
        "The file is larger than the OpenAI Batch API accepts (200 MB); "
        "split it to hand it over.");
  }
  return input;
}

}  // namespace lemma::detail
