// Statistics helpers shared by every model: sample sets with mean and percentiles, time-weighted
// occupancy. One place for the percentile definition used in every report.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace panama {

// Keeps every sample: exact percentiles for the run sizes this model is used at.
class SampleSet {
 public:
  void add(double v) {
    v_.push_back(v);
    sum_ += v;
    sorted_ = false;
  }
  size_t count() const { return v_.size(); }
  double mean() const { return v_.empty() ? 0.0 : sum_ / double(v_.size()); }
  double min() const { sort(); return v_.empty() ? 0.0 : v_.front(); }
  double max() const { sort(); return v_.empty() ? 0.0 : v_.back(); }
  // Nearest-rank percentile: the smallest sample with at least p% of samples at or below it.
  double percentile(double p) const {
    if (v_.empty()) return 0.0;
    sort();
    size_t rank = size_t(std::ceil(p / 100.0 * double(v_.size())));
    if (rank < 1) rank = 1;
    return v_[std::min(rank, v_.size()) - 1];
  }
  void clear() { v_.clear(); sum_ = 0; sorted_ = true; }

 private:
  void sort() const {
    if (!sorted_) {
      std::sort(v_.begin(), v_.end());
      sorted_ = true;
    }
  }
  mutable std::vector<double> v_;
  double sum_ = 0;
  mutable bool sorted_ = true;
};

// A level (queue depth, slots in use) with its peak and time-weighted mean.
class LevelStat {
 public:
  void set(uint64_t now, int64_t level) {
    area_ += double(level_) * double(now - last_);
    last_ = now;
    level_ = level;
    if (level > peak_) peak_ = level;
  }
  void add(uint64_t now, int64_t delta) { set(now, level_ + delta); }
  int64_t level() const { return level_; }
  int64_t peak() const { return peak_; }
  double mean(uint64_t now) const {
    double a = area_ + double(level_) * double(now - last_);
    return now ? a / double(now) : 0.0;
  }

 private:
  int64_t level_ = 0, peak_ = 0;
  uint64_t last_ = 0;
  double area_ = 0;
};

// Jain's fairness index of a set of rates: (sum x)^2 / (n sum x^2), 1 when all are equal, 1/n when one
// takes everything; 0 for an empty or all-zero set.
inline double jain_index(const std::vector<double>& x) {
  double s = 0, q = 0;
  for (double v : x) {
    s += v;
    q += v * v;
  }
  return q > 0 ? s * s / (double(x.size()) * q) : 0;
}

}  // namespace panama
