// compare_table(): the side-by-side text table of `lemma eval --compare`. Reads summary.json
// objects defensively: they come from files, so a missing or mistyped value prints as "-".
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "lemma/math/eval_stats.hpp"

namespace lemma::math {
namespace {

using nlohmann::json;

const char* const kMissing = "-";

// The member `key` of `j`, or nullptr when `j` is not an object or lacks it.
const json* member(const json* j, const char* key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  auto it = j->find(key);
  return it == j->end() ? nullptr : &*it;
}

const json* path(const json& root, std::initializer_list<const char*> keys) {
  const json* j = &root;
  for (const char* key : keys) j = member(j, key);
  return j;
}

const json* number(const json* j) {
  return j != nullptr && j->is_number() ? j : nullptr;
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string percent(const json* j) {
  return number(j) ? format("%.1f%%", j->get<double>() * 100) : kMissing;
}

std::string integer(const json* j) {
  if (!number(j)) return kMissing;
  long long value = 0;
  if (j->is_number_float()) {
    // A float out of range would be undefined behaviour to convert.
    const double x = j->get<double>();
    if (!(std::fabs(x) < 9e18)) return kMissing;
    value = std::llround(x);
  } else if (j->is_number_unsigned()) {
    value = static_cast<long long>(std::min<std::uint64_t>(j->get<std::uint64_t>(), INT64_MAX));
  } else {
    value = j->get<long long>();
  }
  // Thousands separators: token counts run to millions.
  std::string digits = std::to_string(value);
  std::string out;
  const std::size_t lead = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > lead && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string text(const json* j) {
  return j != nullptr && j->is_string() ? j->get<std::string>() : kMissing;
}

std::string milliseconds(const json* j) {
  if (!number(j)) return kMissing;
  const double ms = j->get<double>();
  return ms < 1000 ? format("%.0f ms", ms) : format("%.2f s", ms / 1000);
}

// The largest k of a by-k map ({"1": .., "4": ..}), 0 when there is none.
int largest_k(const json* by_k) {
  int k = 0;
  if (by_k == nullptr || !by_k->is_object()) return 0;
  for (const auto& item : by_k->items()) {
    const std::string& key = item.key();
    if (key.empty() || key.size() > 6 ||
        !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    k = std::max(k, std::stoi(key));
  }
  return k;
}

// Display width of UTF-8 text (code points; "±" is one column).
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, std::size_t to, bool right_align) {
  const std::string fill(to > width(s) ? to - width(s) : 0, ' ');
  return right_align ? fill + s : s + fill;
}

}  // namespace

std::string compare_table(const std::vector<std::pair<std::string, json>>& runs) {
  if (runs.empty()) return {};

  // The k rows: 1, 2, 4, ... up to the largest K, plus each run's own K.
  std::set<int> ks;
  int k_largest = 0;
  for (const auto& run : runs) {
    const int k = largest_k(path(run.second, {"overall", "pass_at_k"}));
    if (k > 0) ks.insert(k);
    k_largest = std::max(k_largest, k);
  }
  for (int k = 1; k <= k_largest; k *= 2) ks.insert(k);

  std::vector<std::vector<std::string>> rows;
  auto add_row = [&](std::string label, auto cell) {
    std::vector<std::string> row{std::move(label)};
    for (const auto& run : runs) row.push_back(cell(run.second));
    rows.push_back(std::move(row));
  };
  rows.emplace_back(1, std::string());
  for (const auto& run : runs) rows.back().push_back(run.first);

  add_row("model", [](const json& s) { return text(path(s, {"model"})); });
  add_row("provider", [](const json& s) { return text(path(s, {"provider"})); });
  add_row("problems", [](const json& s) { return integer(path(s, {"overall", "problems"})); });
  add_row("samples", [](const json& s) { return integer(path(s, {"overall", "samples"})); });
  add_row("accuracy", [](const json& s) {
    std::string cell = percent(path(s, {"overall", "accuracy"}));
    if (const json* se = number(path(s, {"overall", "accuracy_se"}))) {
      cell += format(" ± %.1f", se->get<double>() * 100);
    }
    return cell;
  });
  for (int k : ks) {
    const std::string key = std::to_string(k);
    add_row("pass@" + key, [&](const json& s) {
      return percent(member(path(s, {"overall", "pass_at_k"}), key.c_str()));
    });
  }
  for (int k : ks) {
    const std::string key = std::to_string(k);
    add_row("maj@" + key, [&](const json& s) {
      return percent(member(path(s, {"overall", "majority_at_k"}), key.c_str()));
    });
  }
  add_row("no answer", [](const json& s) {
    return percent(path(s, {"overall", "no_answer_rate"}));
  });
  add_row("cut off", [](const json& s) { return percent(path(s, {"overall", "cutoff_rate"})); });
  add_row("errors", [](const json& s) { return percent(path(s, {"overall", "error_rate"})); });
  add_row("success rate", [](const json& s) { return percent(path(s, {"run", "success_rate"})); });
  add_row("latency p50", [](const json& s) {
    return milliseconds(path(s, {"run", "latency_ms", "p50"}));
  });
  add_row("prompt tokens", [](const json& s) {
    return integer(path(s, {"run", "tokens", "prompt"}));
  });
  add_row("completion tokens", [](const json& s) {
    return integer(path(s, {"run", "tokens", "completion"}));
  });
  add_row("cost", [](const json& s) {
    const json* cost = number(path(s, {"run", "cost_usd"}));
    return cost ? format("$%.4f", cost->get<double>()) : std::string(kMissing);
  });
  add_row("elapsed", [](const json& s) {
    const json* elapsed = number(path(s, {"run", "elapsed_s"}));
    return elapsed ? format("%.1f s", elapsed->get<double>()) : std::string(kMissing);
  });

  std::vector<std::size_t> widths(runs.size() + 1, 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
  }
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line = pad(rows[r][0], widths[0], false);
    for (std::size_t c = 1; c < rows[r].size(); ++c)
      line += "  " + pad(rows[r][c], widths[c], true);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (r == 0) {
      std::size_t total = widths[0];
      for (std::size_t c = 1; c < widths.size(); ++c) total += 2 + widths[c];
      out += std::string(total, '-') + "\n";
    }
  }
  return out;
}

}  // namespace lemma::math
