// placeholder: filled in by the math work
#include "lemma/math.hpp"
