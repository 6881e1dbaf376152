"""twinspace: a local-first home hub for extended reality."""

__version__ = "0.1.0"

import os as _os

# Whisper (CTranslate2) and llama.cpp both run OpenMP thread teams. By default idle OpenMP
# threads spin for a while; on a 2-core hub the speech model's spinning threads then starve
# the language model's (a 0.5 s turn took 15-35 s). Idle threads must sleep. Set before
# either library loads its OpenMP runtime.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
