#include "lemma/providers/dataoorts.hpp"

#include "lemma/validation.hpp"
#include "lemma/wire.hpp"
#include "providers/dataoorts_ranges_private.hpp"
#include "wire/openai/json_reader_private.hpp"

namespace lemma::providers {

namespace {

using nlohmann::json;

std::optional<double> as_double(const std::optional<std::int64_t>& value) {
  if (!value) return std::nullopt;
  return static_cast<double>(*value);
}

std::string join_error_texts(const json& errors, std::string& first_code) {
  std::string text;
  for (const auto& item : errors) {
    std::string one;
    if (item.is_string()) {
      one = item.get<std::string>();
    } else if (item.is_object()) {
      if (const json* m = detail::JsonReader::member(item, "message")) {
        one = m->is_string() ? m->get<std::string>() : detail::dump_json(*m);
      } else {
        one = detail::dump_json(item);
      }
      if (const json* c = detail::JsonReader::member(item, "code"); c && first_code.empty()) {
        first_code = c->is_string() ? c->get<std::string>() : detail::dump_json(*c);
      }
    } else {
      one = detail::dump_json(item);
    }
    if (!text.empty()) text += "; ";
    text += one;
  }
  return text;
}

// The envelope's failure, if it reports one (success: false or errors present).
std::optional<Error> envelope_error(const json& body, int http_status) {
  if (!body.is_object()) return std::nullopt;
  const json* errors = detail::JsonReader::member(body, "errors");
  const json* success = detail::JsonReader::member(body, "success");
  const bool has_errors = errors && errors->is_array() && !errors->empty();
  const bool failed = success && success->is_boolean() && !success->get<bool>();
  if (!has_errors && !failed) return std::nullopt;
  Error error;
  error.http_status = http_status;
  error.kind = http_status >= 400 ? error_kind_for_status(http_status) : ErrorKind::provider;
  std::string code;
  error.provider_message = has_errors ? join_error_texts(*errors, code) : "success: false";
  error.code = code;
  error.body_excerpt = wire::body_excerpt(detail::dump_json(body));
  error.message = "Dataoorts reported a failure" +
                  (http_status ? " (HTTP " + std::to_string(http_status) + ")" : std::string()) +
                  ": " + error.provider_message + (code.empty() ? "" : " [code " + code + "]") +
                  ".";
  return error;
}

}  // namespace

const std::map<std::string, Range>& internal::dataoorts_documented_ranges() {
  static const std::map<std::string, Range> kRanges = {{"temperature", Range{0, 5}},
                                                       {"top_p", Range{0, 2}},
                                                       {"top_k", Range{1, 50}},
                                                       {"seed", Range{1, 9999999999.0}},
                                                       {"repetition_penalty", Range{0, 2}},
                                                       {"frequency_penalty", Range{0, 2}},
                                                       {"presence_penalty", Range{0, 2}}};
  return kRanges;
}

std::int64_t estimate_prompt_tokens(const std::vector<Message>& messages) {
  std::int64_t tokens = 3;
  for (const auto& message : messages) {
    const auto bytes = static_cast<std::int64_t>(message.text().size());
    tokens += (bytes + 3) / 4 + 4;
  }
  return tokens;
}

DataoortsProvider::DataoortsProvider(DataoortsOptions options)
    : options_(std::move(options)), url_(Url::parse(options_.base_url, "base_url")) {}

ProviderCapabilities DataoortsProvider::capabilities() const {
  ProviderCapabilities caps;
  caps.streaming = false;
  caps.list_models = false;
  caps.batch_api = false;
  caps.multiple_choices = false;
  return caps;
}

std::optional<Error> DataoortsProvider::validate(const ChatRequest& request) const {
  if (auto error = validate_chat_request(request)) return error;
  const SamplingParams& s = request.sampling;
  // Parameters Dataoorts does not document: refuse rather than drop them silently.
  const std::pair<const char*, bool> undocumented[] = {
      {"min_p", s.min_p.has_value()},
      {"n", s.n.has_value()},
      {"stop", s.stop.has_value()},
      {"logprobs", s.logprobs.has_value()},
      {"top_logprobs", s.top_logprobs.has_value()},
      {"response_format", s.response_format.has_value()},
      {"user", s.user.has_value()}};
  for (const auto& [param, set] : undocumented) {
    if (set) {
      return invalid_request_error(
          param, std::string("Dataoorts does not document the parameter '") + param +
                     "'; remove it, or pass it in SamplingParams::extra if you know the "
                     "endpoint accepts it.");
    }
  }
  const ModelSpec* spec = model_spec(request.model);
  const auto& ranges =
      spec && !spec->ranges.empty() ? spec->ranges : internal::dataoorts_documented_ranges();
  const std::pair<const char*, std::optional<double>> values[] = {
      {"temperature", s.temperature},
      {"top_p", s.top_p},
      {"top_k", as_double(s.top_k)},
      {"seed", as_double(s.seed)},
      {"repetition_penalty", s.repetition_penalty},
      {"frequency_penalty", s.frequency_penalty},
      {"presence_penalty", s.presence_penalty}};
  for (const auto& [param, value] : values) {
    if (auto it = ranges.find(param); it != ranges.end()) {
      if (auto error = check_range(param, value, it->second)) return error;
    }
  }
  if (options_.check_context_window && spec && spec->context_window) {
    const std::int64_t prompt = estimate_prompt_tokens(request.messages);
    const std::int64_t completion = s.max_tokens.value_or(spec->default_max_tokens.value_or(0));
    if (prompt + completion > *spec->context_window) {
      return invalid_request_error(
          "max_tokens", "The request would not fit " + request.model + "'s context window of " +
                            std::to_string(*spec->context_window) +
                            " tokens: the prompt is about " + std::to_string(prompt) +
                            " tokens (estimated at 4 bytes per token plus 4 per "
                            "message) and max_tokens is " +
                            std::to_string(completion) +
                            ". Shorten the prompt or lower max_tokens (or set "
                            "DataoortsOptions::check_context_window = false to send it anyway).");
    }
  }
  return std::nullopt;
}

Result<HttpRequest> DataoortsProvider::encode_chat(const ChatRequest& request) const {
  if (!url_) return url_.error();
  if (auto error = validate(request)) return *error;
  json data = json::object();
  json messages = json::array();
  for (const auto& message : request.messages) messages.push_back(wire::encode_message(message));
  data["messages"] = std::move(messages);
  const SamplingParams& s = request.sampling;
  auto put = [&data](const char* key, const auto& field) {
    if (field) data[key] = *field;
  };
  put("temperature", s.temperature);
  put("top_p", s.top_p);
  put("top_k", s.top_k);
  put("max_tokens", s.max_tokens);
  put("seed", s.seed);
  put("repetition_penalty", s.repetition_penalty);
  put("frequency_penalty", s.frequency_penalty);
  put("presence_penalty", s.presence_penalty);
  wire::merge_extra(data, s.extra);
  const json body = {{"model", request.model}, {"data", std::move(data)}};

  HttpRequest http;
  http.method = "POST";
  http.url = url_->to_string();
  if (!options_.api_key.empty()) {
    http.headers.set("Authorization", "Bearer " + options_.api_key.reveal());
  }
  http.headers.set("Content-Type", "application/json");
  http.headers.set("Accept", "application/json");
  http.body = detail::dump_json(body);
  return http;
}

Result<ChatResponse> DataoortsProvider::decode_chat(const HttpResponse& response) const {
  auto body = wire::parse_json(response.body, "Dataoorts response", options_.max_json_depth);
  if (!body) return body.error();
  if (auto error = envelope_error(*body, response.status)) {
    error->request_id = wire::request_id_from(response.headers);
    return *error;
  }
  detail::JsonReader reader("Dataoorts response");
  const detail::JsonPath root;
  const json* result = detail::JsonReader::member(*body, "result");
  if (!result || !result->is_object()) {
    reader.fail("it has no \"result\" object");
    return *reader.error();
  }
  const detail::JsonPath result_path = root.field("result");
  ChatResponse out;
  out.object = "chat.completion";
  Choice choice;
  choice.message.role = "assistant";
  choice.message.content = reader.optional_string(*result, "response", result_path);
  if (!choice.message.content && reader.ok()) {
    reader.fail("result.response is missing");
  }
  out.choices.push_back(std::move(choice));
  if (const json* usage = detail::JsonReader::member(*result, "usage")) {
    auto decoded = wire::decode_usage(*usage);
    if (!decoded) return decoded.error();
    out.usage = *decoded;
  }
  if (!reader.ok()) return *reader.error();
  out.raw = std::move(*body);
  return out;
}

Result<HttpRequest> DataoortsProvider::encode_models() const {
  std::string known;
  for (const auto& spec : ModelCatalog::builtin().models_of(name())) {
    known += (known.empty() ? "" : ", ") + spec.model;
  }
  return invalid_request_error("models",
                               "Dataoorts has no model-list endpoint. Models lemma "
                               "knows for it: " +
                                   known + ".");
}

Result<std::vector<ModelInfo>> DataoortsProvider::decode_models(const HttpResponse&) const {
  return invalid_request_error("models", "Dataoorts has no model-list endpoint.");
}

Result<StreamEvent> DataoortsProvider::decode_stream_event(const SseEvent& event) const {
  return wire::decode_stream_event(event, options_.max_json_depth);
}

Error DataoortsProvider::decode_error(const HttpResponse& response) const {
  detail::BoundedParse parsed = detail::parse_bounded(response.body, options_.max_json_depth);
  if (parsed.status == detail::BoundedParse::Status::ok) {
    if (auto error = envelope_error(parsed.value, response.status)) {
      error->request_id = wire::request_id_from(response.headers);
      error->retry_after = wire::retry_after_from(response.headers);
      return *error;
    }
  }
  return wire::decode_error_response(response, options_.max_json_depth);
}

std::shared_ptr<Provider> dataoorts(ApiKey api_key) {
  DataoortsOptions options;
  options.api_key = std::move(api_key);
  return std::make_shared<DataoortsProvider>(std::move(options));
}

}  // namespace lemma::providers
