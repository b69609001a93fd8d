#include <atomic>
#include <mutex>

#include "lemma/providers/self_hosted.hpp"

namespace lemma::providers {

namespace {

SelfHostedOptions with_flavour(SelfHostedOptions options, Flavour flavour) {
  options.flavour = flavour;
  return options;
}

}  // namespace

struct AutoDetectedProvider::State {
  explicit State(SelfHostedOptions settings)
      : options(std::move(settings)), stand_in(with_flavour(options, Flavour::generic)) {}

  const SelfHostedOptions options;
  // Decodes and redacts before the server is identified (errors from the detection itself).
  const SelfHostedProvider stand_in;
  std::mutex mutex;  // one detection at a time; guards the two members below
  std::unique_ptr<const SelfHostedProvider> identified;
  std::optional<DetectedFlavour> detected;
  // Set once, after `identified`: the lock-free path of every call after the first.
  std::atomic<const SelfHostedProvider*> ready{nullptr};
};

AutoDetectedProvider::AutoDetectedProvider(SelfHostedOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

AutoDetectedProvider::~AutoDetectedProvider() = default;

std::optional<DetectedFlavour> AutoDetectedProvider::detected() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->detected;
}

Result<Done> AutoDetectedProvider::prepare(Transport& transport) const {
  if (identified() != nullptr) return Done{};
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (state_->identified) return Done{};
  auto found = detect_flavour(state_->options.base_url, transport, state_->options.api_key,
                              state_->options.max_json_depth);
  if (!found) {
    Error error = found.error();
    error.message = "Could not identify the self-hosted server at " +
                    Url::shown(state_->options.base_url) + " (flavour auto): " + error.message +
                    " Start the server, or name its flavour instead of auto.";
    state_->stand_in.redact(error);
    return error;
  }
  state_->identified =
      std::make_unique<const SelfHostedProvider>(with_flavour(state_->options, found->flavour));
  state_->detected = std::move(*found);
  state_->ready.store(state_->identified.get(), std::memory_order_release);
  return Done{};
}

const SelfHostedProvider* AutoDetectedProvider::identified() const {
  return state_->ready.load(std::memory_order_acquire);
}

const SelfHostedProvider& AutoDetectedProvider::current() const {
  const SelfHostedProvider* found = identified();
  return found != nullptr ? *found : state_->stand_in;
}

Error AutoDetectedProvider::not_identified() const {
  return invalid_request_error(
      "flavour", "The self-hosted server at " + Url::shown(state_->options.base_url) +
                     " has not been identified yet (flavour auto); call it through a "
                     "lemma::Client, which identifies it first, or call prepare(transport).");
}

std::string AutoDetectedProvider::name() const {
  const SelfHostedProvider* found = identified();
  return found != nullptr ? found->name() : std::string(to_string(Flavour::auto_detect));
}

Result<HttpRequest> AutoDetectedProvider::encode_chat(const ChatRequest& request) const {
  if (const SelfHostedProvider* found = identified()) return found->encode_chat(request);
  return not_identified();
}

Result<HttpRequest> AutoDetectedProvider::encode_models() const {
  if (const SelfHostedProvider* found = identified()) return found->encode_models();
  return not_identified();
}

Result<HttpRequest> AutoDetectedProvider::encode_health() const {
  if (const SelfHostedProvider* found = identified()) return found->encode_health();
  return not_identified();
}

Result<ChatResponse> AutoDetectedProvider::decode_chat(const HttpResponse& response) const {
  return current().decode_chat(response);
}

Result<std::vector<ModelInfo>> AutoDetectedProvider::decode_models(
    const HttpResponse& response) const {
  return current().decode_models(response);
}

Error AutoDetectedProvider::decode_error(const HttpResponse& response) const {
  return current().decode_error(response);
}

Result<StreamEvent> AutoDetectedProvider::decode_stream_event(const SseEvent& event) const {
  return current().decode_stream_event(event);
}

std::unique_ptr<StreamDecoder> AutoDetectedProvider::stream_decoder() const {
  return current().stream_decoder();
}

ProviderCapabilities AutoDetectedProvider::capabilities() const {
  return current().capabilities();
}

const ModelSpec* AutoDetectedProvider::model_spec(const std::string& model) const {
  return current().model_spec(model);
}

bool AutoDetectedProvider::stream_requires_done() const {
  return current().stream_requires_done();
}

void AutoDetectedProvider::redact(std::string& text) const {
  state_->stand_in.redact(text);
}

}  // namespace lemma::providers
