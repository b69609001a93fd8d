#include "batch/batch_records_private.hpp"

#include <nlohmann/json.hpp>

#include "lemma/wire.hpp"

namespace lemma::detail {

namespace {

using nlohmann::json;
// Records keep OpenAI's key order (id, custom_id, response, error) for people reading them.
using record_json = nlohmann::ordered_json;

record_json custom_id_of(const BatchLine& line) {
  return line.custom_id.empty() ? record_json(nullptr) : record_json(line.custom_id);
}

std::string finish(const record_json& record) {
  // Invalid UTF-8 from a server becomes U+FFFD rather than a lost result.
  std::string text = record.dump(-1, ' ', false, json::error_handler_t::replace);
  text += '\n';
  return text;
}

}  // namespace

std::string success_record(const BatchLine& line, const ChatResponse& response) {
  // The server's own body when it is already a chat.completion (keeps every field it sent);
  // otherwise (Dataoorts' envelope, a stream) the OpenAI object encoded from the typed answer.
  const auto is_completion = [](const json& raw) {
    if (!raw.is_object() || !raw.contains("choices")) return false;
    const auto object = raw.find("object");
    return object != raw.end() && object->is_string() &&
           object->get_ref<const std::string&>() == "chat.completion";
  };
  const bool raw_is_openai = is_completion(response.raw);
  record_json body = raw_is_openai ? response.raw : wire::encode_chat_response(response);
  return finish(
      {{"id", line.id},
       {"custom_id", custom_id_of(line)},
       {"response",
        {{"status_code", 200}, {"request_id", response.request_id}, {"body", std::move(body)}}},
       {"error", nullptr}});
}

std::string failure_record(const BatchLine& line, const Error& error) {
  if (error.http_status >= 400) {
    record_json detail = {
        {"message", error.provider_message.empty() ? error.message : error.provider_message},
        {"type", error.type.empty() ? record_json(nullptr) : record_json(error.type)},
        {"param", error.param.empty() ? record_json(nullptr) : record_json(error.param)},
        {"code", error.code.empty() ? record_json(nullptr) : record_json(error.code)}};
    return finish({{"id", line.id},
                   {"custom_id", custom_id_of(line)},
                   {"response",
                    {{"status_code", error.http_status},
                     {"request_id", error.request_id},
                     {"body", {{"error", std::move(detail)}}}}},
                   {"error", nullptr}});
  }
  return finish(
      {{"id", line.id},
       {"custom_id", custom_id_of(line)},
       {"response", nullptr},
       {"error", {{"code", std::string(to_string(error.kind))}, {"message", error.message}}},
       {"line", line.line}});
}

std::optional<ResultRecord> read_result_record(std::string_view text) {
  auto parsed = wire::parse_json(text, "result line");
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const json& record = *parsed;
  ResultRecord out;
  const auto custom_id = record.find("custom_id");
  if (custom_id != record.end() && custom_id->is_string()) {
    out.custom_id = custom_id->get<std::string>();
  } else if (custom_id == record.end() || !custom_id->is_null()) {
    return std::nullopt;
  }
  if (const auto id = record.find("id"); id != record.end() && id->is_string()) {
    out.id = id->get<std::string>();
  }
  if (const auto line = record.find("line"); line != record.end() && line->is_number_unsigned()) {
    out.line = line->get<std::size_t>();
  }
  if (out.custom_id.empty() && out.id.empty()) return std::nullopt;
  const auto error = record.find("error");
  const bool has_error = error != record.end() && !error->is_null();
  int status = 0;
  if (const auto response = record.find("response");
      response != record.end() && response->is_object()) {
    const auto code = response->find("status_code");
    if (code != response->end() && code->is_number_integer()) status = code->get<int>();
  }
  out.success = !has_error && status > 0 && status < 400;
  return out;
}

}  // namespace lemma::detail
