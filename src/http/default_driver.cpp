#include "lemma/http.hpp"

namespace lemma {

// Placeholder until the event loop lands (issue 11): no async driver.
std::unique_ptr<TransferDriver> Transport::make_driver() {
  return nullptr;
}

}  // namespace lemma
