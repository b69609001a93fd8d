#pragma once

/// Everything public in lemma, for users who want one include.

#include "lemma/api_key.hpp"
#include "lemma/chat.hpp"
#include "lemma/client.hpp"
#include "lemma/client_options.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/error.hpp"
#include "lemma/headers.hpp"
#include "lemma/http.hpp"
#include "lemma/message.hpp"
#include "lemma/model_info.hpp"
#include "lemma/provider.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/result.hpp"
#include "lemma/sampling_params.hpp"
#include "lemma/sse_parser.hpp"
#include "lemma/stream.hpp"
#include "lemma/url.hpp"
#include "lemma/validation.hpp"
#include "lemma/version.hpp"
#include "lemma/wire.hpp"
