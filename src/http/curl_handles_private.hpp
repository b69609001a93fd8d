#pragma once

// RAII owners for libcurl handles. Only files in src/http/ include <curl/curl.h>.

#include <curl/curl.h>

#include <array>
#include <memory>
#include <mutex>
#include <vector>

namespace lemma::detail {

/// Initialises libcurl once per process (thread-safe, on first use by any transport).
void ensure_curl_initialized();

struct CurlEasyDeleter {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

/// The multi + easy handle pair of one blocking transfer.
struct CurlHandles {
  CurlMultiPtr multi;
  CurlEasyPtr easy;
};

/// A curl share handle holding the connection cache, DNS cache and TLS sessions that every
/// transfer of one transport reuses, and a pool of idle transfer handles. Streams keep it
/// alive through a shared_ptr.
class CurlShare {
 public:
  CurlShare();
  ~CurlShare();
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;

  CURLSH* get() const noexcept { return share_; }

  /// Handles for one blocking transfer: idle ones from earlier transfers when there are some,
  /// new ones otherwise (either may be null when libcurl cannot allocate). Reuse matters: a
  /// new multi handle costs a socketpair, a new easy handle several allocations, on every call.
  CurlHandles acquire();
  /// An easy handle for one transfer (idle or new; null when libcurl cannot allocate).
  CurlEasyPtr acquire_easy();
  /// Takes back a finished transfer's easy handle, already removed from its multi handle: it
  /// is reset (every option, including the share, back to its default) and kept for the next
  /// transfer, up to kMaxIdleHandles.
  void release_easy(CurlEasyPtr easy) noexcept;
  /// Takes back a blocking transfer's multi handle (with no easy handle left in it).
  void release_multi(CurlMultiPtr multi) noexcept;

  /// Idle handles of each kind kept for reuse (more concurrent transfers than this still work).
  static constexpr std::size_t kMaxIdleHandles = 32;

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self);
  static void unlock(CURL*, curl_lock_data data, void* self);

  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
  std::mutex idle_mutex_;
  std::vector<CurlEasyPtr> idle_easy_;  // reset handles: they no longer refer to share_
  std::vector<CurlMultiPtr> idle_multi_;
};

}  // namespace lemma::detail
