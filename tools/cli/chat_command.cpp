// `lemma chat`: the caller's input (prompt, --extra) is checked before any I/O; the answer is
// streamed through AnswerPrinter unless --no-stream, --json or -n > 1 asks for it whole.

#include "chat_command.hpp"

#include <unistd.h>

#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "answer_printer.hpp"
#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "lemma/chat.hpp"
#include "lemma/validation.hpp"
#include "lemma/wire.hpp"

namespace lemma::cli {

namespace {

constexpr std::string_view kCommand = "chat";

int usage_error(const std::string& message) {
  std::cerr << "lemma chat: " << message << '\n';
  return kExitUsage;
}

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Prints every choice of a whole response (one after another, labelled when there are
// several).
void print_choices(const ChatResponse& response, AnswerPrinter& printer) {
  const bool labelled = response.choices.size() > 1;
  for (const Choice& choice : response.choices) {
    if (labelled) {
      printer.next_answer();
      std::cout << "--- choice " << choice.index << " ---\n";
    }
    printer.reasoning(choice.message.reasoning_content.value_or(""));
    printer.content(choice.message.content.value_or(""));
  }
  printer.finish();
}

void warn_if_cut(const ChatResponse& response) {
  for (const Choice& choice : response.choices) {
    if (choice.finish_reason == "length") {
      std::cerr << "lemma chat: the answer was cut off by the token limit (raise --max-tokens)\n";
      return;
    }
  }
}

}  // namespace

ChatCommand::ChatCommand(CLI::App& app)
    : command_(app.add_subcommand("chat", "Ask the configured model one question")) {
  command_->add_option("prompt", settings_.prompt,
                       "The question; - or nothing reads it from standard input");
  command_->add_option("--system", settings_.system, "A system message sent before the prompt");
  command_->add_flag("--no-stream", settings_.no_stream,
                     "Wait for the whole answer instead of streaming it");
  command_->add_flag("--json", settings_.json,
                     "Print the response as one line of JSON (chat.completion) instead of text");
  command_->add_flag("--no-reasoning", settings_.no_reasoning,
                     "Print only the answer, not the model's reasoning");
  add_sampling_options(*command_, settings_.sampling);
  command_->add_option("-n", settings_.n, "How many answers to generate")
      ->check(CLI::PositiveNumber)
      ->group("Sampling");
  add_connection_options(*command_, settings_.connection);
  command_->footer(
      "Streams the answer as it arrives: the reasoning first (dimmed on a terminal), then a "
      "\"--- answer ---\" line and the answer. Ctrl-C stops it (exit 130).\n"
      "Examples:\n"
      "  lemma chat \"What is 17 * 23? Put the answer in \\boxed{}.\"\n"
      "  echo \"Prove that sqrt(2) is irrational.\" | lemma chat - --max-tokens 4096\n"
      "  lemma chat --json --no-stream --temperature 0 \"2 + 2?\" | jq .usage\n"
      "Exit codes: 0 answered, 1 the stream broke off part-way (what arrived was printed), "
      "2 usage or configuration error, 3 the server could not answer, 130 interrupted.");
}

bool ChatCommand::selected() const {
  return command_->parsed();
}

int ChatCommand::run(const InterruptGuard& guard) {
  // Everything the caller gave is checked before anything is sent.
  Result<SamplingParams> sampling = sampling_from(*command_, settings_.sampling);
  if (!sampling) return usage_error(sampling.error().message);
  std::string prompt = settings_.prompt;
  if (prompt.empty() || prompt == "-") {
    if (isatty(STDIN_FILENO)) {
      std::cerr << "lemma chat: reading the prompt from standard input (end it with Ctrl-D)\n";
    }
    prompt = read_all(std::cin);
    while (!prompt.empty() && (prompt.back() == '\n' || prompt.back() == '\r')) {
      prompt.pop_back();
    }
    if (guard.interrupted()) return kExitInterrupted;
  }
  if (prompt.find_first_not_of(" \t\r\n") == std::string::npos) {
    return usage_error("the prompt is empty (pass it as an argument, or - and standard input)");
  }

  ChatRequest request;
  if (!settings_.system.empty()) request.messages.push_back(Message::system(settings_.system));
  request.messages.push_back(Message::user(prompt));
  request.sampling = std::move(*sampling);
  if (command_->count("-n") > 0) request.sampling.n = settings_.n;
  // The shared rules (max_tokens >= 1, no empty stop string, UTF-8...) before the model lookup
  // below may talk to the server; the provider's own ranges are checked when the call is made.
  ChatRequest check = request;
  check.model =
      settings_.connection.model.empty() ? "(from the server)" : settings_.connection.model;
  if (std::optional<Error> invalid = validate_chat_request(check)) {
    report_error(std::cerr, kCommand, *invalid);
    return kExitUsage;
  }

  Result<Connection> connection =
      connect(settings_.connection, ClientOptions{}, std::cerr, true, guard.token());
  if (!connection) {
    return report_failure(std::cerr, kCommand, connection.error(), guard.interrupted());
  }
  request.model = connection->model;
  CallOptions call;
  call.cancellation = guard.token();

  AnswerPrinter printer(std::cout, isatty(STDOUT_FILENO) != 0, !settings_.no_reasoning);
  const bool whole = settings_.no_stream || settings_.json || settings_.n > 1;
  Result<ChatResponse> response = [&] {
    if (settings_.no_stream) return connection->client.chat(request, call);
    StreamCallbacks callbacks;
    if (!whole) {
      callbacks.on_reasoning = [&printer](std::string_view text) { printer.reasoning(text); };
      callbacks.on_content = [&printer](std::string_view text) { printer.content(text); };
    }
    return connection->client.stream(request, callbacks, call);
  }();

  if (!response) {
    printer.finish();  // end a partly printed answer before the error line
    const Error& error = response.error();
    const int code = report_failure(std::cerr, kCommand, error, guard.interrupted());
    // A stream that broke off part-way printed what arrived: some of the work was done.
    return code != kExitInterrupted && error.phase == ErrorPhase::mid_stream ? kExitSomeFailed
                                                                             : code;
  }
  if (settings_.json) {
    // The server's own JSON when there is one; a streamed answer is encoded from its chunks.
    const nlohmann::json body = settings_.no_stream && response->raw.is_object()
                                    ? response->raw
                                    : wire::encode_chat_response(*response);
    std::cout << body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else if (whole) {
    print_choices(*response, printer);
  } else {
    printer.finish();
  }
  warn_if_cut(*response);
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "lemma chat: could not write the answer to standard output\n";
    return kExitNothingDone;
  }
  return kExitSuccess;
}

}  // namespace lemma::cli
