#pragma once

// results.jsonl of an evaluation: one graded line per sample, made from a chat response (as it
// arrives, or read back from the batch output file when resuming) or from a failure.

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/math/evaluation.hpp"
#include "lemma/provider.hpp"

namespace lemma::math::detail {

/// One request of the run: which problem, and which of its samples the request's choices are.
struct EvalRequestPlan {
  /// Index into the dataset's problems.
  std::size_t problem = 0;
  /// The sample index of the request's first choice.
  int first_sample = 0;
  /// How many samples the request gives (its `n`, or 1).
  int samples = 1;
};

/// The timing of a request, when known (a result graded from the output file has none).
struct EvalTiming {
  /// Submission to result, in milliseconds.
  std::optional<double> latency_ms;
  /// Submission to first token, in milliseconds (streamed requests).
  std::optional<double> ttft_ms;
};

/// The results.jsonl lines (each ending in '\n') of a request that was answered: choice i is
/// sample first_sample + i, graded against the problem's reference; usage and cost go to the
/// first sample; choices the server did not return are failed samples.
std::string graded_lines(const std::string& custom_id, const EvalRequestPlan& plan,
                         const EvalProblem& problem, const ChatResponse& response,
                         const EvalTiming& timing, const GradeOptions& grade);

/// The results.jsonl lines of a request that failed: every sample failed with {code, message}.
std::string failed_lines(const std::string& custom_id, const EvalRequestPlan& plan,
                         const EvalProblem& problem, const std::string& code,
                         const std::string& message, const EvalTiming& timing);

/// The lines for a record of the batch output or errors file (a resumed run whose results
/// were not graded yet, or a regrade), with `timing` when earlier results knew it;
/// std::nullopt when the record cannot be read (a member of an unexpected type included).
std::optional<std::string> lines_from_batch_record(
    const nlohmann::json& record, const std::string& custom_id, const EvalRequestPlan& plan,
    const EvalProblem& problem, const GradeOptions& grade, const Provider& provider,
    const EvalTiming& timing);

}  // namespace lemma::math::detail
