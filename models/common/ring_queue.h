// A FIFO on a power-of-two ring buffer: contiguous (one cache line holds eight pointers), allocation-free
// once grown, and empty queues cost no memory. std::deque allocates a 512-byte node per queue even when
// empty, which for eight classes per port was most of a large fabric's memory and cache footprint.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace panama {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return head_ == tail_; }
  size_t size() const { return uint32_t(tail_ - head_); }
  T& front() { return buf_[head_ & mask_]; }
  const T& front() const { return buf_[head_ & mask_]; }
  T& back() { return buf_[(tail_ - 1) & mask_]; }
  const T& back() const { return buf_[(tail_ - 1) & mask_]; }
  void push_back(T v) {
    if (!buf_ || size() == size_t(mask_) + 1) grow();
    buf_[tail_++ & mask_] = std::move(v);
  }
  template <typename... A>
  void emplace_back(A&&... a) {
    push_back(T(std::forward<A>(a)...));
  }
  void pop_front() { ++head_; }
  // Loads for writing the slot `n` places past the tail (where a later push_back writes; with a smaller
  // capacity, some slot of the ring: harmless).
  void prefetch_tail(uint32_t n) const {
    if (buf_) __builtin_prefetch(&buf_[(tail_ + n) & mask_], 1);
  }
  // The i-th element from the front (i < size()).
  T& at(size_t i) { return buf_[(head_ + uint32_t(i)) & mask_]; }

 private:
  // Indices are free-running 32-bit counters (the capacity, a power of two, divides 2^32): 24 bytes
  // per queue, so a port's per-class state fits one cache line.
  __attribute__((noinline)) void grow() {  // (rare: out of line, so that push_back stays small)
    const size_t cap = buf_ ? 2 * (size_t(mask_) + 1) : 8;
    std::unique_ptr<T[]> b(new T[cap]);
    const uint32_t n = uint32_t(size());
    for (uint32_t i = 0; i < n; ++i) b[i] = std::move(buf_[(head_ + i) & mask_]);
    tail_ = n;
    head_ = 0;
    buf_ = std::move(b);
    mask_ = uint32_t(cap - 1);
  }
  std::unique_ptr<T[]> buf_;
  uint32_t mask_ = 0, head_ = 0, tail_ = 0;
};

}  // namespace panama
