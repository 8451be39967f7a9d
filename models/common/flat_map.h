// A hash map from 64-bit keys to small values in one open-addressed array (linear probing, backward-
// shift deletion): a lookup reads one or two adjacent cache lines. std::unordered_map reads its bucket
// array and then a separately allocated node, two cache misses per packet for the per-flow tables a
// host consults on every frame it sends or receives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace panama {

template <typename V>
class FlatMap {
 public:
  static constexpr uint64_t kEmpty = ~uint64_t(0);  // reserved: not a valid key

  size_t size() const { return size_; }
  bool contains(uint64_t key) const { return find(key) != nullptr; }

  // The value of `key`, or nullptr.
  V* find(uint64_t key) {
    if (slots_.empty() || key == kEmpty) return nullptr;
    for (size_t i = index(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmpty) return nullptr;
    }
  }
  const V* find(uint64_t key) const { return const_cast<FlatMap*>(this)->find(key); }
  // Loads the slot where find(key) starts.
  void prefetch(uint64_t key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[index(key)]);
  }

  // The value of `key`, inserted as `v` if absent; `inserted` tells which.
  V& emplace(uint64_t key, const V& v, bool& inserted) {
    if (key == kEmpty) throw std::invalid_argument("FlatMap: key ~0 is reserved");
    if (2 * (size_ + 1) > slots_.size()) grow();  // load factor at most 1/2: short probe runs
    for (size_t i = index(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) {
        inserted = false;
        return s.value;
      }
      if (s.key == kEmpty) {
        s = Slot{key, v};
        ++size_;
        inserted = true;
        return s.value;
      }
    }
  }
  V& operator[](uint64_t key) {
    bool inserted;
    return emplace(key, V{}, inserted);
  }

  // Removes `key` if present; later keys of its probe run move back so that no tombstones are needed.
  bool erase(uint64_t key) {
    if (slots_.empty() || key == kEmpty) return false;
    size_t i = index(key);
    while (slots_[i].key != key) {
      if (slots_[i].key == kEmpty) return false;
      i = (i + 1) & mask_;
    }
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].key == kEmpty) break;
      // Move slot j into the hole at i if its home position is not in the (cyclic) range (i, j].
      const size_t home = index(slots_[j].key);
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].key = kEmpty;
    --size_;
    return true;
  }

 private:
  struct Slot {
    uint64_t key = kEmpty;
    V value{};
  };
  size_t index(uint64_t key) const {
    return size_t((key * 0x9E3779B97F4A7C15ull) >> 32) & mask_;  // Fibonacci hashing mixes the high bits down
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 16 : 2 * old.size(), Slot{});
    mask_ = slots_.size() - 1;
    size_ = 0;
    bool inserted;
    for (const Slot& s : old)
      if (s.key != kEmpty) emplace(s.key, s.value, inserted);
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace panama
