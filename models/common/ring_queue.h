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
  size_t size() const { return tail_ - head_; }
  T& front() { return buf_[head_ & mask_]; }
  const T& front() const { return buf_[head_ & mask_]; }
  void push_back(T v) {
    if (size() == cap_) grow();
    buf_[tail_++ & mask_] = std::move(v);
  }
  template <typename... A>
  void emplace_back(A&&... a) {
    push_back(T(std::forward<A>(a)...));
  }
  void pop_front() { ++head_; }

 private:
  void grow() {
    const size_t cap = cap_ ? 2 * cap_ : 8;
    std::unique_ptr<T[]> b(new T[cap]);
    for (size_t i = 0; i < size(); ++i) b[i] = std::move(buf_[(head_ + i) & mask_]);
    tail_ = size();
    head_ = 0;
    buf_ = std::move(b);
    cap_ = cap;
    mask_ = cap - 1;
  }
  std::unique_ptr<T[]> buf_;
  size_t cap_ = 0, mask_ = 0, head_ = 0, tail_ = 0;
};

}  // namespace panama
