#pragma once

// The report's charts as inline SVG (no script, no external resource): a line chart of pass@k
// and maj@k over k, horizontal bars (accuracy by group) and histograms (latency, tokens per
// problem). Labels arrive unescaped and are escaped here; a value taken from summary.json
// carries its data-summary/data-value attributes into the chart.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lemma/math_runs_export.hpp"

namespace lemma::math::detail {

/// One plotted value.
struct ChartValue {
  /// The label on the axis (a group's name, or k).
  std::string label;
  /// The value plotted.
  double value = 0;
  /// The value as shown ("61.3 %").
  std::string text;
  /// Its JSON Pointer in summary.json (empty: not from summary.json).
  std::string pointer;
  /// The value exactly as JSON (data-value), when `pointer` is set.
  std::string json;
};

/// One line of a line chart.
struct ChartSeries {
  /// The legend's name ("pass@k").
  std::string name;
  /// The CSS class of its line and points ("s1", "s2").
  std::string css_class;
  /// Points at x = 1..size(); a NaN value leaves a gap.
  std::vector<ChartValue> points;
};

/// Rates in [0, 1] over k = 1..K, y axis 0-100 %; values are written on the points when K is
/// small enough for them to be readable.
LEMMA_MATH_RUNS_EXPORT std::string line_chart_svg(const std::vector<ChartSeries>& series,
                                                  const std::string& x_title,
                                                  const std::string& y_title);

/// Horizontal bars of rates in [0, 1], one per value, x axis 0-100 %.
LEMMA_MATH_RUNS_EXPORT std::string bar_chart_svg(const std::vector<ChartValue>& bars,
                                                 const std::string& x_title);

/// Equal-width bins from 0 to the largest value.
struct Histogram {
  /// Width of a bin (> 0).
  double bin_width = 1;
  /// Values per bin.
  std::vector<std::int64_t> counts;
};

/// Bins `values` (negative ones count in the first bin) into `bins` (at least 1) bins.
LEMMA_MATH_RUNS_EXPORT Histogram make_histogram(const std::vector<double>& values,
                                                std::size_t bins);

/// A vertical line drawn over a histogram (a percentile from summary.json).
struct ChartMarker {
  /// Its label ("p50").
  std::string label;
  /// Where it is, on the histogram's value axis.
  ChartValue value;
};

/// A histogram with its bin edges labelled by `format_edge`, counts written over the bars, and
/// `markers` as dashed vertical lines.
LEMMA_MATH_RUNS_EXPORT std::string histogram_svg(
    const Histogram& histogram, const std::function<std::string(double)>& format_edge,
    const std::string& x_title, const std::string& y_title,
    const std::vector<ChartMarker>& markers = {});

}  // namespace lemma::math::detail
