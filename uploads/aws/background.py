"""Work the dashboard function hands to itself: an asynchronous invocation of this very function, which
Zappa's handler runs by calling the function a `{"command": "module.function", ...}` event names."""

import importlib
import json
import os

from uploads.aws import clients


def on_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def run(payload: dict[str, object]) -> None:
    """What Zappa's handler does with the payload: call `command` with it."""
    module, name = str(payload["command"]).rsplit(".", 1)
    getattr(importlib.import_module(module), name)(payload)


def start(payload: dict[str, object]) -> None:
    """On Lambda an asynchronous invocation of this function; elsewhere (a shell, the tests) right here."""
    if on_lambda():
        function = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        clients.lambda_client().invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(payload))
    else:
        run(payload)
