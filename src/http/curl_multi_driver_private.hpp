#pragma once

#include <map>
#include <memory>
#include <vector>

#include "http/curl_handles_private.hpp"
#include "http/curl_transfer_private.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/http.hpp"

namespace lemma::detail {

/// The event loop's driver for CurlTransport: every transfer of one Client's async calls on
/// one curl multi handle, sharing the transport's connection pool, DNS cache and TLS sessions
/// (CurlShare). curl_multi_poll waits for all of them at once; wakeup() is curl_multi_wakeup.
class CurlMultiDriver final : public TransferDriver {
 public:
  CurlMultiDriver(std::shared_ptr<CurlShare> share, CurlTransportOptions options);
  ~CurlMultiDriver() override;

  Result<Id> start(const HttpRequest& request, TransferHandler& handler) override;
  void cancel(Id id) override;
  void run_once(std::chrono::milliseconds timeout) override;
  void wakeup() noexcept override;

 private:
  struct Active;
  void end(Id id, std::optional<Error> error);
  void add_pending();
  void collect_done();
  void expire_idle(std::chrono::steady_clock::time_point now);
  void end_cancelled();
  int wait_ms(std::chrono::milliseconds timeout) const;

  std::shared_ptr<CurlShare> share_;
  CurlTransportOptions options_;
  CurlMultiPtr multi_;
  std::map<Id, std::unique_ptr<Active>> active_;
  std::vector<Id> pending_;    // started, not yet added to the multi handle
  std::vector<Id> cancelled_;  // cancelled from inside a callback: ended after it
  Id next_id_ = 0;
  bool in_callbacks_ = false;  // inside curl_multi_perform: no multi call may be made
};

}  // namespace lemma::detail
