#pragma once

// The streaming hot path: decodes a chat.completion.chunk straight from its JSON text in one
// pass (a hand-written scanner, json_scanner_private.hpp, driving a SAX-style handler), without
// building a DOM or running nlohmann's lexer. It handles the shapes servers actually send; for
// anything else (an "error" member, logprobs, content parts, a type it does not expect,
// invalid JSON, invalid UTF-8, a lone surrogate, an escaped key, nesting deeper than the depth
// limit) it gives up and the DOM decoder, which has the precise error messages, runs.

#include <cstddef>
#include <string_view>

#include "lemma/export.hpp"
#include "lemma/stream.hpp"
#include "lemma/wire.hpp"

namespace lemma::detail {

/// Decodes `text` into `chunk`; false means "use the DOM decoder" (not necessarily an error).
/// Exported only so that lemma's own white-box tests can link it in shared builds.
/// Nesting deeper than `max_depth` also gives up, so both decoders agree on the limit.
LEMMA_EXPORT bool decode_chunk_fast(std::string_view text, ChatChunk& chunk,
                                    std::size_t max_depth = wire::kDefaultMaxJsonDepth);

}  // namespace lemma::detail
