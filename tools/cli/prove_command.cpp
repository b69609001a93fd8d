#include "prove_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "lemma/catalog.hpp"
#include "lemma/math/proof_prompts.hpp"
#include "lemma/math/self_verifier.hpp"
#include "proof_checker_options.hpp"

namespace lemma::cli {
namespace {

constexpr std::string_view kCommand = "prove";

int usage_error(const std::string& message) {
  std::cerr << "lemma prove: " << message << '\n';
  return kExitUsage;
}

std::string score_text(const std::optional<double>& score) {
  return score ? math::format_score(*score) : std::string("-");
}

// Mean scores print with two decimals: "0.75", "1.00".
std::string mean_text(const std::optional<double>& mean) {
  if (!mean) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.2f", *mean);
  return text;
}

// Why a candidate was dropped, in words (ProveProgress::outcome; the trace has it too).
std::string dropped_reason(const std::optional<math::CallOutcome>& outcome) {
  if (!outcome) return "see --trace";
  switch (*outcome) {
    case math::CallOutcome::duplicate: return "the same proof is already in the pool";
    case math::CallOutcome::not_stopped: return "cut off before it finished";
    case math::CallOutcome::malformed: return "no \"## Solution\" section";
    case math::CallOutcome::failed: return "the call failed";
    case math::CallOutcome::cancelled: return "cancelled";
    case math::CallOutcome::unparseable:
    case math::CallOutcome::ok: break;
  }
  return std::string(math::to_string(*outcome));
}

// One stderr line per round and per candidate: a proof search takes minutes, and the lines
// are what a user watches (a log when piped, the same lines on a terminal).
void show_progress(const math::ProveProgress& p) {
  switch (p.event) {
    case math::ProgressEvent::round_started:
      std::cerr << "lemma prove: round " << p.round << " started\n";
      break;
    case math::ProgressEvent::candidate:
      if (p.dropped) {
        std::cerr << "lemma prove: round " << p.round << ": a candidate was dropped ("
                  << dropped_reason(p.outcome) << ")\n";
      } else {
        std::cerr << "lemma prove: round " << p.round << ": candidate #" << p.candidate
                  << " arrived\n";
      }
      break;
    case math::ProgressEvent::verification:
      break;  // shown per round below: a line per verification would drown the rest
    case math::ProgressEvent::round_finished: {
      std::ostringstream line;
      line << "lemma prove: round " << p.round << " done; best:";
      std::size_t shown = 0;
      for (const math::CandidateSummary& c : p.pool) {
        if (shown++ == 3) break;
        line << " #" << c.id << " " << mean_text(c.mean_score) << " (" << c.scores
             << " scores, self " << score_text(c.self_score) << (c.verified ? ", verified" : "")
             << ")";
      }
      if (p.pool.empty()) line << " none yet";
      line << "; " << p.total_tokens << " tokens";
      if (p.cost_usd > 0) {
        char cost[32];
        std::snprintf(cost, sizeof cost, ", $%.4f", p.cost_usd);
        line << cost;
      }
      std::cerr << line.str() << '\n';
      break;
    }
  }
}

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

ProveCommand::ProveCommand(CLI::App& app)
    : command_(app.add_subcommand(
          "prove",
          "Write a proof with the DeepSeekMath-V2 loop: generate candidates, score each with a "
          "verifier, refine with the critiques, until a proof is verified or a budget runs out")) {
  command_->add_option("PROBLEM", settings_.problem,
                       "The problem; - or nothing reads it from standard input");
  command_->add_option("--file", settings_.file, "Read the problem from this file")
      ->check(CLI::ExistingFile);
  command_->add_option("--verifier-model", settings_.verifier_model,
                       "The verifier's model (default: the generator's)");
  command_
      ->add_option("--mode", settings_.mode,
                   "pool (candidates ranked by verifier scores, refined with critiques) or "
                   "sequential (one proof refined with its own self-evaluation)")
      ->check(CLI::IsMember({"pool", "sequential"}))
      ->capture_default_str();
  command_->add_option("--candidates", settings_.candidates, "Candidates per round")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command_
      ->add_option("--verifications", settings_.verifications,
                   "Independent verifications of each proof (a proof is verified when all give 1)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  command_
      ->add_option("--rounds", settings_.rounds,
                   "Rounds (pool: the first generates, later ones refine) or attempts (sequential)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command_
      ->add_option("--max-total-tokens", settings_.max_total_tokens,
                   "Stop with the best so far after this many tokens (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->group("Budgets");
  command_
      ->add_option("--max-cost", settings_.max_cost,
                   "Stop after this many US dollars (needs the model's prices; 0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->group("Budgets");
  command_
      ->add_option("--max-time", settings_.max_time, "Stop after this many seconds (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->group("Budgets");
  command_
      ->add_option("--concurrency", settings_.concurrency, "Calls in flight at once (0: no limit)")
      ->capture_default_str();
  command_->add_option("--trace", settings_.trace,
                       "Write the whole run as JSON to this file (every prompt, response, score, "
                       "timing, tokens and cost)");
  command_->add_flag("--json", settings_.json,
                     "Print the result as JSON (the trace) instead of the best proof");
  add_proof_checker_options(*command_, settings_.checker);
  add_sampling_options(*command_, settings_.sampling);
  add_connection_options(*command_, connection_);
  command_->footer(
      "The best proof goes to stdout; progress, its scores and why the run stopped to stderr.\n"
      "Examples:\n"
      "  lemma prove \"Prove that the square root of 2 is irrational.\"\n"
      "  lemma prove --file imo.txt --candidates 8 --verifications 4 --rounds 5 --max-cost 2 "
      "--trace run.json\n"
      "  lemma prove - --verifier-model deepseek-ai/DeepSeek-Math-V2 < problem.txt\n"
      "Exit codes: 0 a proof was verified, 1 none was (the best so far is printed), 2 bad input "
      "or options, 3 nothing could be done, 130 interrupted (the best so far is printed).");
}

bool ProveCommand::selected() const {
  return command_->parsed();
}

int ProveCommand::run(const InterruptGuard& guard) {
  Result<SamplingParams> sampling = sampling_from(*command_, settings_.sampling);
  if (!sampling) return usage_error(sampling.error().message);
  std::string problem = settings_.problem;
  if (!settings_.file.empty()) {
    if (!problem.empty() && problem != "-") {
      return usage_error("give the problem as an argument or with --file, not both");
    }
    std::ifstream in(settings_.file, std::ios::binary);
    problem = read_all(in);
    if (!in.good() && !in.eof()) {
      return usage_error("cannot read \"" + settings_.file + "\"");
    }
  } else if (problem.empty() || problem == "-") {
    if (isatty(STDIN_FILENO)) {
      std::cerr << "lemma prove: reading the problem from standard input (end it with Ctrl-D)\n";
    }
    problem = read_all(std::cin);
    if (guard.interrupted()) return kExitInterrupted;
  }
  if (problem.find_first_not_of(" \t\r\n") == std::string::npos) {
    return usage_error(
        "the problem is empty (pass it as an argument, with --file, or - and "
        "standard input)");
  }
  Result<std::optional<math::ProofChecker>> checker = make_proof_checker(settings_.checker);
  if (!checker) return usage_error(checker.error().message);
  if (settings_.verifications == 0 && settings_.mode == "pool" && !settings_.checker.lean_only) {
    return usage_error(
        "--verifications 0 leaves the pool loop nothing to score with; give at "
        "least 1, or --lean-only with a Lean checker, or --mode sequential");
  }

  ClientOptions options;
  options.max_concurrent_calls = settings_.concurrency;
  Result<Connection> connection =
      connect(connection_, options, std::cerr, /*need_model=*/true, guard.token());
  if (!connection) {
    return report_failure(std::cerr, kCommand, connection.error(), guard.interrupted());
  }

  if (settings_.max_cost > 0) {
    // A cost budget over calls whose cost is unknown would never stop anything.
    for (const std::string& model : {connection->model, settings_.verifier_model}) {
      if (model.empty()) continue;
      const ModelSpec* spec = connection->client.provider().model_spec(model);
      if (spec == nullptr || !spec->input_usd_per_million || !spec->output_usd_per_million) {
        return usage_error("--max-cost needs the prices of " + model +
                           ", which lemma's model catalogue does not know; use "
                           "--max-total-tokens instead");
      }
    }
  }

  math::SelfVerifierConfig config = verifier_config(*connection, *sampling, std::move(*checker),
                                                    settings_.checker, guard.token());
  if (!settings_.verifier_model.empty()) config.verifier.model = settings_.verifier_model;
  config.mode =
      settings_.mode == "sequential" ? math::ProveMode::sequential : math::ProveMode::pool;
  config.candidates_per_round = settings_.candidates;
  config.verifications_per_proof = settings_.verifications;
  config.rounds = settings_.rounds;
  config.budget.max_total_tokens = settings_.max_total_tokens;
  config.budget.max_cost_usd = settings_.max_cost;
  config.budget.max_wall_time =
      std::chrono::milliseconds(static_cast<std::int64_t>(settings_.max_time * 1000));
  config.on_progress = show_progress;

  const math::SelfVerifier verifier(std::move(config));
  Result<math::ProveResult> result = verifier.prove(problem);
  if (!result) return report_failure(std::cerr, kCommand, result.error(), guard.interrupted());

  bool trace_failed = false;
  if (!settings_.trace.empty()) {
    std::ofstream out(settings_.trace, std::ios::binary | std::ios::trunc);
    out << result->to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (!out) {
      std::cerr << "lemma prove: could not write the trace to \"" << settings_.trace
                << "\" (check the path)\n";
      trace_failed = true;
    }
  }
  const math::ProofCandidate* best = result->best();
  if (settings_.json) {
    std::cout << result->to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else if (best != nullptr) {
    std::cout << best->proof << '\n';
  }
  const math::ProveTotals& t = result->totals;
  std::ostringstream summary;
  summary << "lemma prove: " << to_string(result->stop_reason);
  if (best != nullptr) {
    summary << "; best #" << best->id << " (round " << best->round << "), score "
            << mean_text(best->mean_score) << " over " << best->verifications.size()
            << " verifications" << (best->verified ? ", verified" : ", not verified")
            << ", self-score " << score_text(best->self_score);
  } else {
    summary << "; no proof";
  }
  summary << "; " << t.calls << " calls, " << t.total_tokens << " tokens";
  if (t.cost_usd > 0) {
    char cost[32];
    std::snprintf(cost, sizeof cost, ", $%.4f", t.cost_usd);
    summary << cost;
  }
  summary << ", " << t.elapsed.count() / 1000.0 << " s";
  std::cerr << summary.str() << '\n';
  if (result->stop_reason == math::StopReason::failed && result->error) {
    report_error(std::cerr, kCommand, *result->error);
    if (best == nullptr) return exit_code_for(*result->error);
  }
  if (result->stop_reason == math::StopReason::cancelled) return kExitInterrupted;
  if (best == nullptr || trace_failed) return kExitNothingDone;
  return result->verified() ? kExitSuccess : kExitSomeFailed;
}

}  // namespace lemma::cli
