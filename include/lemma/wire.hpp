#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/export.hpp"
#include "lemma/http.hpp"
#include "lemma/model_info.hpp"
#include "lemma/provider.hpp"
#include "lemma/result.hpp"
#include "lemma/sse_parser.hpp"
#include "lemma/stream.hpp"

/// Building blocks for the OpenAI chat-completions wire format, public so that custom providers
/// can reuse exactly what the built-in ones use.
namespace lemma::wire {

/// The OpenAI-format JSON of one message.
LEMMA_EXPORT nlohmann::json encode_message(const Message& message);
/// The OpenAI-format request body: model, messages, stream (with `stream_options` when
/// streaming), each *set* sampling field, then `sampling.extra` merged last (its keys win).
LEMMA_EXPORT nlohmann::json encode_chat_body(const ChatRequest& request);

/// Reads an OpenAI chat-completions request body into a ChatRequest (the inverse of
/// encode_chat_body): model, messages and the typed sampling fields; every other key (tools,
/// max_completion_tokens, server-specific parameters) goes to sampling.extra verbatim, and
/// `stream_options` is dropped. A mistyped field, missing messages or `"stream": true` is an
/// invalid_request Error naming the field. The model may be empty (not checked here).
LEMMA_EXPORT Result<ChatRequest> decode_chat_request(nlohmann::json body);
/// Merges SamplingParams::extra into a request body: its keys are set last (overriding), and a
/// null value removes the key.
LEMMA_EXPORT void merge_extra(nlohmann::json& body, const nlohmann::json& extra);

/// Default limit on nested arrays/objects in any JSON a server sends (256 levels; real
/// responses use fewer than 10). Deeper JSON is a protocol Error, so that no later copy or dump()
/// of it can overflow the stack. Knob: OpenAICompatibleOptions::max_json_depth (and
/// SelfHostedOptions::max_json_depth).
inline constexpr std::size_t kDefaultMaxJsonDepth = 256;
/// The largest choice index a streamed chunk may carry (0-based; servers allow n up to 128).
/// A larger or negative one is a protocol error: a hostile stream of many out-of-order indices
/// would otherwise cost the accumulator quadratic time.
inline constexpr std::int64_t kMaxChoiceIndex = 4095;

/// Parses `body` as JSON; a protocol Error naming `what`, the byte offset and an excerpt when it
/// is not JSON (e.g. an HTML page from a proxy), or naming the limit when it nests deeper than
/// `max_depth` arrays/objects.
LEMMA_EXPORT Result<nlohmann::json> parse_json(std::string_view body, std::string_view what,
                                               std::size_t max_depth = kDefaultMaxJsonDepth);

/// Decodes an OpenAI-format chat completion. Unknown fields are ignored (and kept in `raw`);
/// a missing or mistyped essential field is a protocol Error naming it.
LEMMA_EXPORT Result<ChatResponse> decode_chat_response(nlohmann::json body);
/// Decodes one OpenAI-format message object (content may be null, a string or text parts).
LEMMA_EXPORT Result<Message> decode_message(const nlohmann::json& message, std::string_view path);
/// Decodes an OpenAI-format usage object (with prompt/completion token details when present).
LEMMA_EXPORT Result<Usage> decode_usage(const nlohmann::json& usage);
/// Decodes a `/models` listing: {"data": [...]} or a bare array; context length from
/// `max_model_len`, `context_length`, `context_window` or llama.cpp's `meta.n_ctx_train`.
LEMMA_EXPORT Result<std::vector<ModelInfo>> decode_models_response(const nlohmann::json& body);

/// Decodes one OpenAI-format `chat.completion.chunk`.
LEMMA_EXPORT Result<ChatChunk> decode_chat_chunk(const nlohmann::json& chunk);
/// Decodes one server-sent event of an OpenAI-format stream: `[DONE]` ends it; an `error`
/// event, or a data object with an "error" member (OpenAI, vLLM, TGI), is the typed Error it
/// reports; empty data is skipped; invalid JSON (or JSON nested deeper than `max_depth`) is a
/// protocol Error naming the event's offset.
LEMMA_EXPORT Result<StreamEvent> decode_stream_event(const SseEvent& event,
                                                     std::size_t max_depth = kDefaultMaxJsonDepth);
/// The typed Error for an error a server reported inside a stream (a JSON object or text).
LEMMA_EXPORT Error decode_stream_error(const nlohmann::json& payload);
/// One chunk carrying a whole response, for servers that answer a stream request with a plain
/// JSON completion (and for providers that cannot stream).
LEMMA_EXPORT ChatChunk chunk_from_response(const ChatResponse& response);

/// The OpenAI `usage` object (with prompt/completion token details when set).
LEMMA_EXPORT nlohmann::json encode_usage(const Usage& usage);
/// An assistant message as a server sends it: encode_message() plus `reasoning_content` and
/// `refusal` when set.
LEMMA_EXPORT nlohmann::json encode_response_message(const Message& message);
/// The OpenAI `chat.completion` object for a response, from its typed fields (`raw` and
/// `cost_usd` are not written): what a Batch output line's body and a mock server hold.
/// decode_chat_response(encode_chat_response(r)) gives back r's typed fields.
LEMMA_EXPORT nlohmann::json encode_chat_response(const ChatResponse& response);
/// The OpenAI `chat.completion.chunk` object for one chunk; decode_chat_chunk() inverts it.
LEMMA_EXPORT nlohmann::json encode_chat_chunk(const ChatChunk& chunk);
/// A whole OpenAI server-sent-event stream: one `data:` event per chunk, then `data: [DONE]`.
/// Never throws on invalid UTF-8 in a chunk's strings: such bytes are written as U+FFFD.
LEMMA_EXPORT std::string encode_sse_stream(const std::vector<ChatChunk>& chunks);

/// The request id a server attached (x-request-id, request-id, x-amzn-requestid, cf-ray...).
LEMMA_EXPORT std::string request_id_from(const Headers& headers);
/// The server's retry hint: `retry-after-ms`, then `Retry-After` as seconds or an HTTP date.
/// `now` is the current time (for the HTTP-date form). A hint is clamped to [0, 365 days] (any
/// number or date, e.g. 1e300 or the year 2300, without overflow); a negative, non-finite or
/// unreadable value is no hint.
LEMMA_EXPORT std::optional<std::chrono::milliseconds> retry_after_from(
    const Headers& headers,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// Decodes a non-2xx response in any common error shape: OpenAI {"error": {message, type,
/// param, code}}, {"error": "text"}, FastAPI {"detail": ...}, {"message": ...}, TGI
/// {"error": ..., "error_type": ...}, or a non-JSON body (an HTML page from a proxy). The kind
/// comes from error_kind_for_status(); 429 and 402 become quota_exceeded when the body says the
/// quota or credit is exhausted. The message says what to do next. A JSON body nested deeper
/// than `max_depth` is a protocol Error naming the limit (the HTTP status is kept).
LEMMA_EXPORT Error decode_error_response(const HttpResponse& response,
                                         std::size_t max_depth = kDefaultMaxJsonDepth);

/// The first Error::kMaxBodyExcerpt bytes of `body`, cut at a UTF-8 boundary.
LEMMA_EXPORT std::string body_excerpt(std::string_view body);

}  // namespace lemma::wire
