#include "grade_proof_command.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "lemma/math/proof_text.hpp"
#include "lemma/math/self_verifier.hpp"
#include "lemma/validation.hpp"

namespace lemma::cli {
namespace {

using Json = nlohmann::ordered_json;  // keeps the input's key order in the output
constexpr std::string_view kCommand = "grade-proof";

int usage_error(const std::string& message) {
  std::cerr << "lemma grade-proof: " << message << '\n';
  return kExitUsage;
}

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// One input line: the line itself and its item, or why it cannot be graded.
struct InputLine {
  std::size_t number = 0;
  Json record;
  std::optional<std::string> error;
};

InputLine read_line(std::size_t number, const std::string& text) {
  InputLine line;
  line.number = number;
  line.record = Json::parse(text, nullptr, false);
  if (line.record.is_discarded() || !line.record.is_object()) {
    line.error = "not a JSON object; each line is {\"problem\": ..., \"proof\": ...}";
    return line;
  }
  for (const char* key : {"problem", "proof"}) {
    const auto it = line.record.find(key);
    if (it == line.record.end() || !it->is_string() ||
        it->get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) {
      line.error = std::string("no \"") + key + "\" text (a non-empty string)";
      return line;
    }
  }
  return line;
}

Json scored(Json record, const math::ProofCandidate& candidate) {
  record["score"] = candidate.mean_score ? Json(*candidate.mean_score) : Json(nullptr);
  record["verified"] = candidate.verified;
  Json scores = Json::array();
  Json evaluations = Json::array();
  for (const math::Verification& v : candidate.verifications) {
    scores.push_back(v.score);
    evaluations.push_back(
        {{"score", v.score},
         {"source", v.source == math::VerificationSource::checker ? "lean" : "verifier"},
         {"evaluation", v.evaluation}});
  }
  record["scores"] = std::move(scores);
  record["skipped_verifications"] = candidate.skipped_verifications;
  record["evaluations"] = std::move(evaluations);
  return record;
}

}  // namespace

GradeProofCommand::GradeProofCommand(CLI::App& app)
    : command_(app.add_subcommand(
          "grade-proof",
          "Score proofs with a verifier model (DeepSeekMath-V2's rubric: 1, 0.5 or 0, the mean of "
          "several verifications) and optionally Lean 4")) {
  command_->add_option("INPUT", settings_.input,
                       "JSONL file, or - for standard input (default): {\"problem\", \"proof\", "
                       "...} per line");
  command_->add_option("--problem", settings_.problem, "Grade one proof of this problem");
  command_->add_option("--proof-file", settings_.proof_file, "The proof of --problem")
      ->check(CLI::ExistingFile);
  command_->add_option("-o,--output", settings_.output,
                       "Write the scored lines here instead of standard output");
  command_
      ->add_option("--verifications", settings_.verifications,
                   "Independent verifications of each proof (verified: all give 1)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  command_
      ->add_option("--concurrency", settings_.concurrency, "Calls in flight at once (0: no limit)")
      ->capture_default_str();
  add_proof_checker_options(*command_, settings_.checker);
  add_sampling_options(*command_, settings_.sampling);
  add_connection_options(*command_, connection_);
  command_->footer(
      "Output: each input line plus \"score\" (the mean, or null), \"verified\", \"scores\", "
      "\"skipped_verifications\" and \"evaluations\" [{score, source, evaluation}]. The verifier "
      "sees only the proof's \"## Solution\" part, never reasoning or a self-evaluation. A line "
      "that cannot be read gives {\"line\": N, \"error\": ...}; the rest goes on.\n"
      "Examples:\n"
      "  lemma grade-proof proofs.jsonl -o scored.jsonl --verifications 4\n"
      "  lemma grade-proof --problem \"Prove that ...\" --proof-file proof.md\n"
      "Exit codes: 0 every line scored, 1 some lines could not be read or scored, 2 bad options, "
      "3 nothing could be done, 130 interrupted.");
}

bool GradeProofCommand::selected() const {
  return command_->parsed();
}

int GradeProofCommand::run(const InterruptGuard& guard) {
  Result<SamplingParams> sampling = sampling_from(*command_, settings_.sampling);
  if (!sampling) return usage_error(sampling.error().message);
  Result<std::optional<math::ProofChecker>> checker = make_proof_checker(settings_.checker);
  if (!checker) return usage_error(checker.error().message);
  if (settings_.verifications == 0 && !settings_.checker.lean_only) {
    return usage_error(
        "--verifications 0 leaves nothing to score with; give at least 1, or "
        "--lean-only with a Lean checker");
  }

  // Read everything first: a bad line is reported, and the proofs are scored all at once.
  std::vector<InputLine> lines;
  if (!settings_.problem.empty() || !settings_.proof_file.empty()) {
    if (settings_.problem.empty() || settings_.proof_file.empty()) {
      return usage_error("--problem and --proof-file go together");
    }
    if (settings_.input != "-") return usage_error("give INPUT or --problem, not both");
    std::ifstream in(settings_.proof_file, std::ios::binary);
    InputLine line;
    line.number = 1;
    line.record = {{"problem", settings_.problem}, {"proof", read_all(in)}};
    // JSONL input is checked by the JSON parser; a file is checked here, before any I/O.
    ChatRequest check;
    check.model = "check";
    check.messages = {Message::user(settings_.problem),
                      Message::user(line.record["proof"].get<std::string>())};
    if (validate_chat_request(check)) {
      return usage_error("the problem or the proof file is not valid UTF-8; convert it to UTF-8");
    }
    lines.push_back(std::move(line));
  } else {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (settings_.input != "-") {
      file.open(settings_.input, std::ios::binary);
      if (!file) return usage_error("cannot open " + settings_.input + " for reading");
      in = &file;
    }
    std::string text;
    for (std::size_t number = 1; std::getline(*in, text); ++number) {
      if (!text.empty() && text.back() == '\r') text.pop_back();
      if (text.find_first_not_of(" \t") == std::string::npos) continue;
      lines.push_back(read_line(number, text));
    }
    if (guard.interrupted()) return kExitInterrupted;
  }
  std::vector<math::GradeItem> items;
  std::vector<std::size_t> item_line;  // item index -> index into `lines`
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].error) continue;
    math::GradeItem item;
    item.problem = lines[i].record["problem"].get<std::string>();
    // Only the proof itself reaches the verifier: reasoning and a self-evaluation are cut.
    item.proof = math::parse_generator_output(lines[i].record["proof"].get<std::string>()).solution;
    if (item.proof.find_first_not_of(" \t\r\n") == std::string::npos) {
      lines[i].error = "the proof is empty once its reasoning (before </think>) is left out";
      continue;
    }
    items.push_back(std::move(item));
    item_line.push_back(i);
  }

  std::optional<math::ProveResult> result;
  if (!items.empty()) {
    ClientOptions options;
    options.max_concurrent_calls = settings_.concurrency;
    Result<Connection> connection =
        connect(connection_, options, std::cerr, /*need_model=*/true, guard.token());
    if (!connection) {
      return report_failure(std::cerr, kCommand, connection.error(), guard.interrupted());
    }
    math::SelfVerifierConfig config = verifier_config(*connection, *sampling, std::move(*checker),
                                                      settings_.checker, guard.token());
    config.verifications_per_proof = settings_.verifications;
    Result<math::ProveResult> graded = math::SelfVerifier(std::move(config)).grade(items);
    if (!graded) return report_failure(std::cerr, kCommand, graded.error(), guard.interrupted());
    result = std::move(*graded);
  }

  // Opened only now: a run refused before any scoring leaves an existing output file alone.
  std::ofstream output_file;
  std::ostream* out = &std::cout;
  if (!settings_.output.empty()) {
    output_file.open(settings_.output, std::ios::binary | std::ios::trunc);
    if (!output_file) return usage_error("cannot open " + settings_.output + " for writing");
    out = &output_file;
  }
  std::vector<const math::ProofCandidate*> by_item(items.size(), nullptr);
  if (result) {
    for (const math::ProofCandidate& c : result->candidates) {
      if (c.item < by_item.size()) by_item[c.item] = &c;
    }
  }
  std::size_t failures = 0, scored_count = 0, verified = 0;
  double score_sum = 0;
  std::vector<const math::ProofCandidate*> by_line(lines.size(), nullptr);
  for (std::size_t i = 0; i < item_line.size(); ++i) by_line[item_line[i]] = by_item[i];
  for (std::size_t index = 0; index < lines.size(); ++index) {
    InputLine& line = lines[index];
    const math::ProofCandidate* candidate = by_line[index];
    if (!line.error && candidate != nullptr && !candidate->mean_score &&
        !candidate->checker_error.empty()) {
      line.error = "the Lean checker could not check it: " + candidate->checker_error;
    }
    if (!line.error && (candidate == nullptr || !candidate->mean_score)) {
      line.error =
          "none of its verifications gave a score (the verifier's answers had no "
          "\\boxed{} score, were cut off, or failed; run again, or raise --max-tokens)";
    }
    if (line.error) {
      ++failures;
      const Json record = {{"line", line.number}, {"error", *line.error}};
      *out << record.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
      std::cerr << "lemma grade-proof: line " << line.number << ": " << *line.error << '\n';
      continue;
    }
    ++scored_count;
    score_sum += *candidate->mean_score;
    if (candidate->verified) ++verified;
    *out << scored(std::move(line.record), *candidate)
                .dump(-1, ' ', false, Json::error_handler_t::replace)
         << '\n';
  }
  out->flush();
  if (!*out) {
    std::cerr << "lemma grade-proof: could not write the output\n";
    return kExitNothingDone;
  }
  char mean[32];
  std::snprintf(mean, sizeof mean, "%.3f", scored_count > 0 ? score_sum / scored_count : 0.0);
  std::cerr << "lemma grade-proof: " << scored_count << " scored (mean score " << mean << ", "
            << verified << " verified), " << failures << " could not be scored";
  if (result) {
    std::cerr << "; " << result->totals.calls << " calls, " << result->totals.total_tokens
              << " tokens";
  }
  std::cerr << '\n';
  if (result && result->stop_reason == math::StopReason::failed && result->error) {
    report_error(std::cerr, kCommand, *result->error);
  }
  if (result && result->stop_reason == math::StopReason::cancelled) return kExitInterrupted;
  // Nothing scored because the server refused or failed: the error's own exit code (a key the
  // server refused is 2, an unreachable server 3).
  if (scored_count == 0 && result && result->stop_reason == math::StopReason::failed &&
      result->error) {
    return exit_code_for(*result->error);
  }
  return failures == 0 ? kExitSuccess : kExitSomeFailed;
}

}  // namespace lemma::cli
