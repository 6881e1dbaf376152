"""The prompt the model sees: fixed instructions, then the request.

The instructions never change, so llama.cpp keeps them in the KV cache across turns. Nothing
from the home or its content (titles, descriptions) is ever put in the prompt: guide text
is data for grounding, never instructions to the model.
"""

import re

SYSTEM = "Turn the request into home commands."


def as_request(text: str) -> str:
    """The request in the form the adapter mostly saw: one line, no closing full stop, and a
    lower-case first letter unless the first word is "I…" or an acronym. Speech recognition
    writes "Continue the movie on the TV." where people type "continue the movie on the TV",
    and the small model read the two differently."""
    text = " ".join(text.split()).rstrip(".!")
    first = text.split(" ", 1)[0] if text else ""
    if first and not re.match(r"^I('|$)", first) and not first.isupper():
        text = text[0].lower() + text[1:]
    return text


def prompt_for(request: str) -> str:
    """ChatML, the embedded model's chat format."""
    request = as_request(request)
    return (f"<|im_start|>system\n{SYSTEM}<|im_end|>\n"
            f"<|im_start|>user\n{request}<|im_end|>\n"
            f"<|im_start|>assistant\n")
