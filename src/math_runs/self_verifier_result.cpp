// The self-verification result: ranking, names and JSON (lemma/math/self_verifier.hpp).

#include <algorithm>
#include <numeric>

#include "lemma/math/self_verifier.hpp"

namespace lemma::math {
namespace {

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json candidate_json(const ProofCandidate& c) {
  nlohmann::json verifications = nlohmann::json::array();
  for (const Verification& v : c.verifications) {
    verifications.push_back(
        {{"source", v.source == VerificationSource::checker ? "checker" : "verifier"},
         {"score", v.score},
         {"call", v.call},
         {"evaluation", v.evaluation}});
  }
  return {{"id", c.id},
          {"round", c.round},
          {"item", c.item},
          {"parents", c.parents},
          {"mean_score", optional_number(c.mean_score)},
          {"self_score", optional_number(c.self_score)},
          {"verified", c.verified},
          {"skipped_verifications", c.skipped_verifications},
          {"checker_error",
           c.checker_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.checker_error)},
          {"proof", c.proof},
          {"self_evaluation", c.self_evaluation},
          {"verifications", std::move(verifications)}};
}

nlohmann::json call_json(const TraceCall& t) {
  nlohmann::json out = {{"id", t.id},
                        {"role", to_string(t.role)},
                        {"round", t.round},
                        {"candidate", t.candidate},
                        {"model", t.model},
                        {"outcome", to_string(t.outcome)},
                        {"finish_reason", t.finish_reason},
                        {"score", optional_number(t.score)},
                        {"score_status", t.score_status ? nlohmann::json(to_string(*t.score_status))
                                                        : nlohmann::json(nullptr)},
                        {"started_ms", t.started.count()},
                        {"latency_ms", t.latency.count()},
                        {"prompt_tokens", t.prompt_tokens},
                        {"completion_tokens", t.completion_tokens},
                        {"cost_usd", optional_number(t.cost_usd)},
                        {"prompt", t.prompt},
                        {"content", t.content},
                        {"reasoning", t.reasoning}};
  if (!t.error.empty()) out["error"] = t.error;
  return out;
}

}  // namespace

std::string_view to_string(ProveMode mode) noexcept {
  return mode == ProveMode::sequential ? "sequential" : "pool";
}

std::string_view to_string(StopReason reason) noexcept {
  switch (reason) {
    case StopReason::verified: return "verified";
    case StopReason::self_verified: return "self_verified";
    case StopReason::rounds_exhausted: return "rounds_exhausted";
    case StopReason::token_budget: return "token_budget";
    case StopReason::cost_budget: return "cost_budget";
    case StopReason::time_budget: return "time_budget";
    case StopReason::cancelled: return "cancelled";
    case StopReason::failed: return "failed";
  }
  return "unknown";
}

std::string_view to_string(CallOutcome outcome) noexcept {
  switch (outcome) {
    case CallOutcome::ok: return "ok";
    case CallOutcome::not_stopped: return "not_stopped";
    case CallOutcome::malformed: return "malformed";
    case CallOutcome::unparseable: return "unparseable";
    case CallOutcome::duplicate: return "duplicate";
    case CallOutcome::failed: return "failed";
    case CallOutcome::cancelled: return "cancelled";
  }
  return "unknown";
}

std::string_view to_string(CallRole role) noexcept {
  switch (role) {
    case CallRole::generate: return "generate";
    case CallRole::refine: return "refine";
    case CallRole::verify: return "verify";
    case CallRole::verify_retry: return "verify_retry";
  }
  return "unknown";
}

std::vector<std::size_t> rank_candidates(const std::vector<ProofCandidate>& candidates) {
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Unknown sorts below every known value: -1 is below every score.
  const auto key = [](const std::optional<double>& v) { return v ? *v : -1.0; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const ProofCandidate& x = candidates[a];
    const ProofCandidate& y = candidates[b];
    if (key(x.mean_score) != key(y.mean_score)) return key(x.mean_score) > key(y.mean_score);
    if (key(x.self_score) != key(y.self_score)) return key(x.self_score) > key(y.self_score);
    return x.id < y.id;
  });
  return order;
}

const ProofCandidate* ProveResult::best() const noexcept {
  if (candidates.empty()) return nullptr;
  return &candidates[rank_candidates(candidates).front()];
}

bool ProveResult::verified() const noexcept {
  const ProofCandidate* top = best();
  return top != nullptr && top->verified;
}

nlohmann::json ProveResult::to_json() const {
  nlohmann::json out;
  out["stop_reason"] = to_string(stop_reason);
  out["verified"] = verified();
  if (error) out["error"] = error->what();
  out["rounds"] = rounds;
  const ProofCandidate* top = best();
  out["best"] = top ? nlohmann::json(top->id) : nlohmann::json(nullptr);
  out["totals"] = {{"calls", totals.calls},
                   {"failed_calls", totals.failed_calls},
                   {"prompt_tokens", totals.prompt_tokens},
                   {"completion_tokens", totals.completion_tokens},
                   {"total_tokens", totals.total_tokens},
                   {"cost_usd", totals.cost_usd},
                   {"calls_without_cost", totals.calls_without_cost},
                   {"elapsed_ms", totals.elapsed.count()}};
  nlohmann::json ranked = nlohmann::json::array();
  for (std::size_t index : rank_candidates(candidates)) ranked.push_back(candidates[index].id);
  out["ranking"] = std::move(ranked);
  out["candidates"] = nlohmann::json::array();
  for (const ProofCandidate& c : candidates) out["candidates"].push_back(candidate_json(c));
  out["calls"] = nlohmann::json::array();
  for (const TraceCall& t : calls) out["calls"].push_back(call_json(t));
  return out;
}

}  // namespace lemma::math
