#include "lemma/math/lean_proof_checker.hpp"

#include <utility>

namespace lemma::math {
namespace {

constexpr std::size_t kMaxMessages = 5;
constexpr std::size_t kMaxMessageChars = 1000;

std::string clipped(const std::string& text) {
  if (text.size() <= kMaxMessageChars) return text;
  std::size_t cut = kMaxMessageChars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return text.substr(0, cut) + " [...]";
}

}  // namespace

std::string lean_evaluation_text(const LeanVerdict& verdict) {
  switch (verdict.status) {
    case LeanStatus::valid: return "Lean 4 accepted the proof: no errors and no sorry.";
    case LeanStatus::no_proof:
      return "No complete Lean 4 code block (```lean4 ... ```) was found in the proof, so Lean "
             "could not check it.";
    case LeanStatus::timeout: return "Lean 4 did not finish checking the proof in time.";
    case LeanStatus::checker_error: return "The Lean 4 checker failed: " + verdict.explanation;
    case LeanStatus::uses_sorry:
    case LeanStatus::lean_error: break;
  }
  std::string text = verdict.status == LeanStatus::uses_sorry
                         ? "Lean 4 accepted the code but the proof is incomplete (it uses sorry):"
                         : "Lean 4 rejected the proof:";
  std::size_t shown = 0;
  // An incomplete proof's open goals come first: they say what is left to prove.
  for (const LeanSorry& sorry : verdict.sorries) {
    if (shown == kMaxMessages) break;
    ++shown;
    text += "\nline " + std::to_string(sorry.pos.line) + ": sorry leaves the goal " +
            clipped(sorry.goal);
  }
  for (const LeanMessage& message : verdict.messages) {
    if (message.severity != "error" && verdict.status == LeanStatus::lean_error) continue;
    if (shown == kMaxMessages) break;
    ++shown;
    text += "\nline " + std::to_string(message.pos.line) + ", column " +
            std::to_string(message.pos.column) + ": " + message.severity + ": " +
            clipped(message.text);
  }
  if (shown == 0) text += "\n" + verdict.explanation;
  return text;
}

ProofChecker lean_proof_checker(LeanChecker checker, LeanOptions options) {
  return [checker = std::move(checker), options = std::move(options)](
             const std::string& /*problem*/, const std::string& proof) -> Result<CheckerVerdict> {
    Result<LeanVerdict> verdict = checker.check_answer(proof, options);
    if (!verdict) return verdict.error();
    if (verdict->status == LeanStatus::checker_error) {
      return make_error(ErrorKind::provider,
                        "The Lean 4 checker could not check the proof: " + verdict->explanation);
    }
    CheckerVerdict out;
    out.score = verdict->valid() ? 1.0 : 0.0;
    out.evaluation = lean_evaluation_text(*verdict);
    return out;
  };
}

}  // namespace lemma::math
