"""The prompt the model sees: fixed instructions, then the request.

The instructions never change, so llama.cpp keeps them in the KV cache across turns. Nothing
from the home or its content (titles, descriptions) is ever put in the prompt: guide text
is data for grounding, never instructions to the model.
"""

SYSTEM = "Turn the request into home commands."


def prompt_for(request: str) -> str:
    """ChatML, the embedded model's chat format."""
    request = " ".join(request.split())
    return (f"<|im_start|>system\n{SYSTEM}<|im_end|>\n"
            f"<|im_start|>user\n{request}<|im_end|>\n"
            f"<|im_start|>assistant\n")
