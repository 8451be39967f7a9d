#include "common/packet_pool.h"

#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define PANAMA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define PANAMA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define PANAMA_POISON(p, n) ((void)(p), (void)(n))
#define PANAMA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace panama {

PacketPool::~PacketPool() {
  for (tlm::tlm_generic_payload* gp : store_) {
    Head& h = head(*gp);
    gp->clear_extension(&h.meta);  // meta lives in the block, not heap-owned by the payload
    gp->~tlm_generic_payload();
    h.~Head();
  }
  for (void* a : arenas_) {
    PANAMA_UNPOISON(a, kArenaBytes);  // (see carve)
    munmap(a, kArenaBytes);
  }
}

// Arenas are anonymous mappings (zero-filled: a clean-tail block starts clean), aligned to their size
// and marked for transparent huge pages: a large fabric holds ~10^5 packets in flight (hundreds of MB),
// and with 4 KiB pages nearly every packet touched on a hop is also a TLB miss.
//
// Under AddressSanitizer, carving would hide what separate allocations showed (a write past a frame's
// buffer lands in the next packet), so each block gets a poisoned redzone after its buffer, and a
// released packet's buffer stays poisoned until it is handed out again: a write past the end or a use
// after release is reported.
uint8_t* PacketPool::carve(uint32_t cls) {
#if defined(__SANITIZE_ADDRESS__)
  constexpr size_t kRedzone = kBlockAlign;
#else
  constexpr size_t kRedzone = 0;
#endif
  const size_t used = kHeaderBytes + kClassBytes[cls];
  const size_t bytes = (used + kRedzone + kBlockAlign - 1) / kBlockAlign * kBlockAlign;
  if (arena_left_[cls] < bytes) {
    void* raw = mmap(nullptr, 2 * kArenaBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t lo = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t a = (lo + kArenaBytes - 1) & ~(kArenaBytes - 1);
    if (a > lo) munmap(raw, a - lo);
    if (a + kArenaBytes < lo + 2 * kArenaBytes) munmap(reinterpret_cast<void*>(a + kArenaBytes), lo + kArenaBytes - a);
    uint8_t* arena = reinterpret_cast<uint8_t*>(a);
    // Fresh memory is addressable. (AddressSanitizer keeps the shadow of unmapped memory: an earlier
    // pool's arena at this address would otherwise still carry its poisoned buffers and redzones.)
    PANAMA_UNPOISON(arena, kArenaBytes);
#ifdef MADV_HUGEPAGE
    madvise(arena, kArenaBytes, MADV_HUGEPAGE);  // advisory: without THP the pool works on small pages
#endif
    *reinterpret_cast<uint32_t*>(arena) = cls;  // the arena's header: its class, then the stale bits
    arenas_.push_back(arena);
    constexpr size_t kFirst = (kArenaHeaderBytes + kBlockAlign - 1) / kBlockAlign * kBlockAlign;
    arena_next_[cls] = arena + kFirst;
    arena_left_[cls] = kArenaBytes - kFirst;
  }
  uint8_t* m = arena_next_[cls];
  arena_next_[cls] += bytes;
  arena_left_[cls] -= bytes;
  PANAMA_POISON(m + used, bytes - used);
  return m;
}

tlm::tlm_generic_payload* PacketPool::make(uint32_t cls) {
  uint8_t* mem = carve(cls);
  Head* h = new (mem + kHeadOffset) Head();
  tlm::tlm_generic_payload* gp = new (mem + kPayloadOffset) tlm::tlm_generic_payload();
  store_.push_back(gp);
  ++made_[cls];
  gp->set_mm(this);
  gp->set_extension(&h->meta);
  gp->set_data_ptr(frame_bytes(*gp));
  return gp;
}

void PacketPool::reserve(SizeClass cls, size_t n) {
  if (cls >= kNumClasses) throw std::invalid_argument("PacketPool::reserve: no such size class");
  std::vector<tlm::tlm_generic_payload*> made(n);
  for (auto& gp : made) {
    gp = make(cls);
    PANAMA_POISON(frame_bytes(*gp), kClassBytes[cls]);  // as a released packet's
  }
  // take() hands out the back of the free list first: the packets in the order they were carved.
  free_[cls].insert(free_[cls].end(), made.rbegin(), made.rend());
}

tlm::tlm_generic_payload* PacketPool::take(uint32_t cls) {
  tlm::tlm_generic_payload* gp;
  if (!free_[cls].empty()) {
    gp = free_[cls].back();
    free_[cls].pop_back();
    // The next packet of this class to go out: load (for writing) the payload line this function writes
    // (data length, command, response status) and the two lines of the frame's headers, which the
    // sender writes next (Ethernet, IPv4 and TCP end 54 bytes into the frame).
    if (!free_[cls].empty()) {
      const char* next = reinterpret_cast<const char*>(free_[cls].back());
      __builtin_prefetch(next + 32, 1);
      __builtin_prefetch(next + kPayloadBytes, 1);
      __builtin_prefetch(next + kPayloadBytes + 48, 1);
    }
  } else {
    gp = make(cls);
  }
  PANAMA_UNPOISON(frame_bytes(*gp), kClassBytes[cls]);
  stale_word(*gp) |= stale_bit(*gp);  // the metadata is reset when first read (fresh_meta)
  gp->set_data_length(0);
  // (The streaming width stays 0, as constructed: no model writes it, and it sits in a line of the
  // payload that nothing else on a packet's path touches.)
  gp->set_command(tlm::TLM_WRITE_COMMAND);
  gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  gp->acquire();
  if (++in_use_ > peak_) peak_ = in_use_;
  return gp;
}

tlm::tlm_generic_payload* PacketPool::allocate(size_t capacity) {
  if (capacity > kClassBytes[kJumbo]) throw std::length_error("packet buffer larger than a jumbo frame requested");
  return take(capacity <= kClassBytes[kSmall] ? kSmall : capacity <= kClassBytes[kMtu] ? kMtu : kJumbo);
}

tlm::tlm_generic_payload* PacketPool::allocate_clean(size_t capacity) {
  return capacity <= kClassBytes[kMtuClean] ? take(kMtuClean) : allocate(capacity);
}

void PacketPool::free(tlm::tlm_generic_payload* gp) {
  const uint32_t cls = size_class(*gp);
#ifdef PANAMA_CHECK_INVARIANTS
  if (cls == kMtuClean) {
    const uint8_t* b = frame_bytes(*gp);
    for (size_t i = kCleanFrom; i < kClassBytes[cls]; ++i)
      if (b[i]) {
        std::fprintf(stderr, "PacketPool: clean-tail packet %p released with byte %zu = 0x%02x (holders must not "
                     "write at or beyond byte %zu)\n", static_cast<const void*>(gp), i, b[i], kCleanFrom);
        std::abort();
      }
  }
#endif
  PANAMA_POISON(frame_bytes(*gp), kClassBytes[cls]);
  free_[cls].push_back(gp);
  --in_use_;
}

PacketPool& PacketPool::instance() {
  static PacketPool pool;
  return pool;
}

tlm::tlm_generic_payload* clone_packet(PacketPool& pool, const tlm::tlm_generic_payload& src) {
  tlm::tlm_generic_payload* gp = pool.allocate(src.get_data_length());
  std::memcpy(gp->get_data_ptr(), src.get_data_ptr(), src.get_data_length());
  gp->set_data_length(src.get_data_length());
  meta(*gp) = meta(src);
  return gp;
}

}  // namespace panama
