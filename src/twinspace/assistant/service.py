"""The hub's assistant: the configured model, loaded once, shared by every front end."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Optional

from twinspace.assistant import templates
from twinspace.assistant.assistant import Assistant
from twinspace.assistant.runtime import DEFAULT_MODEL, PROFILES, LocalModel, ModelUnavailable, resolve_model
from twinspace.hub import Hub

_lock = threading.Lock()
_models: dict[tuple[str, str], LocalModel] = {}


def load_model(data_dir: Path, name: Optional[str] = None, profile: Optional[str] = None) -> LocalModel:
    """The model named by TWINSPACE_MODEL (default: the embedded one) for TWINSPACE_PROFILE,
    loaded once with its task adapter. The same model serves plain chat (`LocalModel.chat`
    switches the adapter off while it runs, with llama.cpp's function-calling chat format)."""
    name = name or os.environ.get("TWINSPACE_MODEL") or DEFAULT_MODEL
    profile_name = profile or os.environ.get("TWINSPACE_PROFILE") or "headset"
    if profile_name not in PROFILES:
        raise ModelUnavailable(f"unknown device profile {profile_name!r}; choose one of {', '.join(PROFILES)}")
    key = (name, profile_name)
    with _lock:
        if key not in _models:
            path, adapter = resolve_model(name, data_dir)
            _models[key] = LocalModel(path, adapter=adapter, profile=PROFILES[profile_name],
                                      chat_format="chatml-function-calling")
            for language in templates.LANGUAGES:
                templates.warm(language)  # the template layer's first turn should not wait either
        return _models[key]


def assistant_for(hub: Hub, data_dir: Path) -> Assistant:
    return Assistant(hub, load_model(data_dir))
