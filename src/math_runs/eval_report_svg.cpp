#include "eval_report_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "eval_report_format.hpp"

namespace lemma::math::detail {
namespace {

constexpr double kWidth = 640;
constexpr double kLeft = 56;
constexpr double kRight = 24;
constexpr double kTop = 28;
constexpr double kBottom = 52;

std::string coord(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

// data-summary/data-value attributes of a value from summary.json (nothing otherwise).
std::string data_attributes(const ChartValue& value) {
  if (value.pointer.empty()) return {};
  return " data-summary=\"" + escape_html(value.pointer) + "\" data-value=\"" +
         escape_html(value.json) + "\"";
}

std::string text(double x, double y, const char* anchor, const std::string& css_class,
                 const std::string& escaped, const std::string& attributes = {}) {
  return "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" text-anchor=\"" + anchor +
         "\" class=\"" + css_class + "\"" + attributes + ">" + escaped + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& css_class) {
  return "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) + "\" y2=\"" +
         coord(y2) + "\" class=\"" + css_class + "\"/>";
}

std::string svg_open(double height, const std::string& label) {
  return "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
         coord(kWidth) + " " + coord(height) + "\" width=\"" + coord(kWidth) + "\" height=\"" +
         coord(height) + "\" role=\"img\" aria-label=\"" + escape_html(label) + "\">";
}

double clamp01(double value) {
  return std::isfinite(value) ? std::clamp(value, 0.0, 1.0) : 0.0;
}

// Grid lines and labels of a 0-100 % axis, vertical (y) or horizontal (x).
std::string percent_grid(bool vertical_axis, double left, double top, double width, double height) {
  std::string out;
  for (int step = 0; step <= 4; ++step) {
    const double fraction = step / 4.0;
    const std::string label = std::to_string(step * 25) + " %";
    if (vertical_axis) {
      const double y = top + (1 - fraction) * height;
      out += line(left, y, left + width, y, "grid");
      out += text(left - 6, y + 4, "end", "tick", label);
    } else {
      const double x = left + fraction * width;
      out += line(x, top, x, top + height, "grid");
      out += text(x, top + height + 16, "middle", "tick", label);
    }
  }
  return out;
}

std::string axis_titles(double height, const std::string& x_title, const std::string& y_title) {
  std::string out = text(kLeft + (kWidth - kLeft - kRight) / 2, height - 8, "middle", "axis-title",
                         escape_html(x_title));
  if (!y_title.empty()) {
    out += "<text transform=\"translate(14 " + coord((height - kBottom + kTop) / 2) +
           ") rotate(-90)\" text-anchor=\"middle\" class=\"axis-title\">" + escape_html(y_title) +
           "</text>";
  }
  return out;
}

// Whether the x label of k (1-based, of K) is drawn: all of them up to 16, else powers of two
// and K, so labels never overlap.
bool labelled_k(std::size_t k, std::size_t count) {
  return count <= 16 || (k & (k - 1)) == 0 || k == count;
}

}  // namespace

std::string line_chart_svg(const std::vector<ChartSeries>& series, const std::string& x_title,
                           const std::string& y_title) {
  constexpr double kHeight = 300;
  const double width = kWidth - kLeft - kRight;
  const double height = kHeight - kTop - kBottom;
  std::size_t count = 0;
  for (const ChartSeries& s : series) count = std::max(count, s.points.size());
  // Points are inset from the axes so that their value labels stay clear of them.
  constexpr double kInset = 28;
  const auto x_of = [&](std::size_t index) {
    return count <= 1 ? kLeft + width / 2
                      : kLeft + kInset +
                            static_cast<double>(index) * (width - 2 * kInset) /
                                static_cast<double>(count - 1);
  };
  const auto y_of = [&](double value) { return kTop + (1 - clamp01(value)) * height; };

  std::string out = svg_open(kHeight, y_title + " over " + x_title);
  out += percent_grid(true, kLeft, kTop, width, height);
  for (std::size_t i = 0; i < count; ++i) {
    if (labelled_k(i + 1, count)) {
      out += text(x_of(i), kTop + height + 16, "middle", "tick", std::to_string(i + 1));
    }
  }
  const bool write_values = count <= 8;
  double legend_x = kLeft + 8;
  for (std::size_t s = 0; s < series.size(); ++s) {
    const ChartSeries& one = series[s];
    const std::string css = escape_html(one.css_class);
    std::string path;
    bool pen_down = false;
    for (std::size_t i = 0; i < one.points.size(); ++i) {
      if (!std::isfinite(one.points[i].value)) {
        pen_down = false;
        continue;
      }
      path += (pen_down ? " L" : " M") + coord(x_of(i)) + " " + coord(y_of(one.points[i].value));
      pen_down = true;
    }
    if (!path.empty()) out += "<path class=\"series " + css + "\" d=\"" + path + "\"/>";
    for (std::size_t i = 0; i < one.points.size(); ++i) {
      const ChartValue& point = one.points[i];
      if (!std::isfinite(point.value)) continue;
      out += "<circle class=\"point " + css + "\" cx=\"" + coord(x_of(i)) + "\" cy=\"" +
             coord(y_of(point.value)) + "\" r=\"3.5\"><title>" + escape_html(one.name) +
             ", k = " + escape_html(point.label) + ": " + escape_html(point.text) +
             "</title></circle>";
      if (write_values) {
        // The first series writes above its points, the second below, so they do not collide.
        const double dy = s == 0 ? -8 : 16;
        out += text(x_of(i), y_of(point.value) + dy, "middle", "value " + css,
                    escape_html(point.text), data_attributes(point));
      }
    }
    out += line(legend_x, 12, legend_x + 18, 12, "series " + css);
    out += text(legend_x + 22, 16, "start", "legend", escape_html(one.name));
    legend_x += 30 + 8 * static_cast<double>(one.name.size());
  }
  out += line(kLeft, kTop + height, kLeft + width, kTop + height, "axis");
  out += line(kLeft, kTop, kLeft, kTop + height, "axis");
  out += axis_titles(kHeight, x_title, y_title);
  return out + "</svg>";
}

std::string bar_chart_svg(const std::vector<ChartValue>& bars, const std::string& x_title) {
  constexpr double kRow = 24;
  constexpr double kLabelWidth = 150;
  constexpr std::size_t kLabelChars = 22;
  const double left = kLeft + kLabelWidth - 40;
  const double width = kWidth - left - kRight - 48;
  const double height = kRow * static_cast<double>(std::max<std::size_t>(bars.size(), 1));
  const double total = kTop + height + kBottom;
  std::string out = svg_open(total, x_title);
  out += percent_grid(false, left, kTop, width, height);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const ChartValue& bar = bars[i];
    const double y = kTop + static_cast<double>(i) * kRow;
    const ClippedText label = clip_text(bar.label, kLabelChars);
    out += "<g><title>" + escape_html(bar.label) + ": " + escape_html(bar.text) + "</title>";
    out += text(left - 6, y + kRow / 2 + 4, "end", "label",
                escape_html(label.text) + (label.omitted_chars > 0 ? "\xE2\x80\xA6" : ""));
    const double bar_width = clamp01(bar.value) * width;
    out += "<rect class=\"bar\" x=\"" + coord(left) + "\" y=\"" + coord(y + 4) + "\" width=\"" +
           coord(bar_width) + "\" height=\"" + coord(kRow - 8) + "\"/>";
    out += text(left + bar_width + 4, y + kRow / 2 + 4, "start", "value", escape_html(bar.text),
                data_attributes(bar));
    out += "</g>";
  }
  out += line(left, kTop, left, kTop + height, "axis");
  out += text(left + width / 2, total - 8, "middle", "axis-title", escape_html(x_title));
  return out + "</svg>";
}

Histogram make_histogram(const std::vector<double>& values, std::size_t bins) {
  Histogram histogram;
  bins = std::max<std::size_t>(bins, 1);
  double largest = 0;
  for (const double value : values) {
    if (std::isfinite(value)) largest = std::max(largest, value);
  }
  // A round bin width (1, 2 or 5 times a power of ten, at least 1) gives readable edges and
  // puts the largest value inside the last bin rather than on the axis' end.
  const double raw = largest / static_cast<double>(bins);
  double width = 1;
  if (raw >= 1) {
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    width = raw <= power       ? power
            : raw <= 2 * power ? 2 * power
            : raw <= 5 * power ? 5 * power
                               : 10 * power;
  }
  histogram.bin_width = width;
  bins = std::min(bins, static_cast<std::size_t>(largest / width) + 1);
  histogram.counts.assign(bins, 0);
  for (const double value : values) {
    if (!std::isfinite(value)) continue;
    const double position = std::max(0.0, value) / histogram.bin_width;
    const auto bin = std::min(bins - 1, static_cast<std::size_t>(position));
    ++histogram.counts[bin];
  }
  return histogram;
}

std::string histogram_svg(const Histogram& histogram,
                          const std::function<std::string(double)>& format_edge,
                          const std::string& x_title, const std::string& y_title,
                          const std::vector<ChartMarker>& markers) {
  constexpr double kHeight = 280;
  const double width = kWidth - kLeft - kRight;
  const double height = kHeight - kTop - kBottom;
  const std::size_t bins = std::max<std::size_t>(histogram.counts.size(), 1);
  std::int64_t largest = 1;
  for (const std::int64_t count : histogram.counts) largest = std::max(largest, count);
  const double bar_width = width / static_cast<double>(bins);
  const double span = histogram.bin_width * static_cast<double>(bins);

  std::string out = svg_open(kHeight, y_title + " by " + x_title);
  // The count axis: 0, half and the tallest bar.
  for (const std::int64_t tick : {std::int64_t{0}, largest / 2, largest}) {
    if (tick == largest / 2 && (tick == 0 || tick == largest)) continue;
    const double y =
        kTop + height - static_cast<double>(tick) / static_cast<double>(largest) * height;
    out += line(kLeft, y, kLeft + width, y, "grid");
    out += text(kLeft - 6, y + 4, "end", "tick", format_count(tick));
  }
  for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
    const std::int64_t count = histogram.counts[i];
    const double x = kLeft + static_cast<double>(i) * bar_width;
    const double bar_height = static_cast<double>(count) / static_cast<double>(largest) * height;
    const double low = histogram.bin_width * static_cast<double>(i);
    out += "<g><title>" + escape_html(format_edge(low)) + " to " +
           escape_html(format_edge(low + histogram.bin_width)) + ": " + format_count(count) +
           "</title>";
    out += "<rect class=\"bar\" x=\"" + coord(x + 1) + "\" y=\"" +
           coord(kTop + height - bar_height) + "\" width=\"" + coord(std::max(bar_width - 2, 1.0)) +
           "\" height=\"" + coord(bar_height) + "\" data-count=\"" + std::to_string(count) + "\"/>";
    if (count > 0) {
      out += text(x + bar_width / 2, kTop + height - bar_height - 4, "middle", "value",
                  format_count(count));
    }
    out += "</g>";
  }
  // Edge labels: every edge when few, otherwise about eight of them.
  const std::size_t every = std::max<std::size_t>(1, (bins + 7) / 8);
  for (std::size_t edge = 0; edge <= bins; edge += every) {
    out += text(kLeft + static_cast<double>(edge) * bar_width, kTop + height + 16, "middle", "tick",
                escape_html(format_edge(histogram.bin_width * static_cast<double>(edge))));
  }
  for (std::size_t i = 0; i < markers.size(); ++i) {
    const ChartMarker& marker = markers[i];
    if (!std::isfinite(marker.value.value)) continue;
    const double fraction = std::clamp(marker.value.value / span, 0.0, 1.0);
    const double x = kLeft + fraction * width;
    out += line(x, kTop - 2, x, kTop + height, "marker");
    // One label row per marker, so that close percentiles stay readable; on the right half the
    // label goes left of its line so that it stays inside the chart.
    const bool right_half = fraction > 0.5;
    out += text(right_half ? x - 3 : x + 3, kTop + 10 + 14 * static_cast<double>(i),
                right_half ? "end" : "start", "marker-label",
                escape_html(marker.label) + " " + escape_html(marker.value.text),
                data_attributes(marker.value));
  }
  out += line(kLeft, kTop + height, kLeft + width, kTop + height, "axis");
  out += line(kLeft, kTop, kLeft, kTop + height, "axis");
  out += axis_titles(kHeight, x_title, y_title);
  return out + "</svg>";
}

}  // namespace lemma::math::detail
