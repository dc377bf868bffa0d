"""The protocol loop shared by every Python adapter of the sigv4 harness.

The harness (harness/PROTOCOL.md, version 1, and its version 2 additions: SigV4a and the
chunked extension) starts an adapter once and writes one JSON object per line on its stdin;
the adapter answers one JSON line per message, in order, and exits 0 at end of input. This
module does everything but the signing:

- reads lines, answers `hello` with the adapter's name, version, language and `reveals`
  (plus `protocols` / `algorithms` / `features` when the adapter speaks version 2);
- echoes each message's `id` and answers in the message's protocol (1, or 2 when the adapter
  listed it);
- turns a `sign` message into one call of the adapter's `sign(message) -> dict`, whose dict
  holds the answer's fields (`signed`, and `canonical_request` / `string_to_sign` /
  `signature` where revealed); `status` defaults to `ok`;
- maps `Unsupported` to an `unsupported` answer, `Refused` and any other exception to an
  `error` answer (with the traceback on stderr), bad JSON and unknown ops to `error`;
- answers `unsupported` itself for a SigV4a case (`settings.algorithm = "sigv4a"`) or a
  streaming payload mode when the adapter did not list the algorithm or the feature.

Use (from `harness/adapters/<name>/adapter.py`):

    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import sigv4_adapter as sa

    def sign(msg):
        ...                       # raise sa.Unsupported("why") for a setting the library lacks
        return {"signed": {"method": ..., "target": ..., "headers": [[n, v], ...]}}

    sa.run({"name": "mine", "version": "1.0", "language": "python", "reveals": []}, sign)

Standard library only, so that it runs under any interpreter the adapter picks.
"""

import base64
import datetime
import json
import sys
import traceback

STREAMING_MODES = ("streaming-signed", "streaming-signed-trailer", "streaming-unsigned-trailer")


class Unsupported(Exception):
    """The case needs a setting the library has no switch for (answered `unsupported`)."""


class Refused(Exception):
    """The library (or the adapter on its behalf) refuses the input: an `error` answer whose
    message is this exception's text, without the type name."""


# ---------------------------------------------------------------------------------------------
# Helpers most adapters need.


def parse_time(text):
    """RFC 3339 with an offset (`2015-08-30T12:36:00Z`) -> an aware UTC datetime."""
    if not isinstance(text, str):
        raise ValueError(f"time {text!r} is not a string")
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return t.astimezone(datetime.timezone.utc)


def amz_date(t):
    """An aware datetime -> `YYYYMMDDTHHMMSSZ` (X-Amz-Date)."""
    return t.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def body_of(msg):
    """The request body of a sign message, as bytes (strict base64)."""
    return base64.b64decode(msg["request"].get("body_b64") or "", validate=True)


def header(headers, name):
    """The first value of header `name` (case-insensitive) in [[name, value], ...], or None."""
    name = name.lower()
    for n, v in headers:
        if n.lower() == name:
            return v
    return None


def algorithm(msg):
    """`sigv4` (the default) or `sigv4a`."""
    return (msg.get("settings") or {}).get("algorithm") or "sigv4"


def path_needs_normalising(path):
    """True when the path has a `.` or `..` segment or an empty segment (`//`)."""
    return "//" in path or any(s in (".", "..") for s in path.split("/")[1:])


def b64(data):
    return base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Fixing the clock of a library that reads it.


def frozen_datetime_class(fixed):
    """A datetime.datetime subclass whose now() / utcnow() / today() return `fixed` (an aware
    UTC datetime): put it where a library looks up `datetime` (`from datetime import datetime`)."""

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed.astimezone(tz) if tz is not None else fixed.astimezone().replace(tzinfo=None)

        @classmethod
        def utcnow(cls):
            return fixed.replace(tzinfo=None)

        @classmethod
        def today(cls):
            return cls.now()

    return FrozenDatetime


class _FrozenDatetimeModule:
    """Stands for the `datetime` module in a library that does `import datetime`."""

    def __init__(self, fixed):
        self.datetime = frozen_datetime_class(fixed)

    def __getattr__(self, name):
        return getattr(datetime, name)


def frozen_datetime_module(fixed):
    return _FrozenDatetimeModule(fixed)


class patched:
    """`with patched(module, "name", value):` sets module.name for the block, then restores it."""

    def __init__(self, obj, name, value):
        self.obj, self.name, self.value = obj, name, value

    def __enter__(self):
        self.saved = getattr(self.obj, self.name)
        setattr(self.obj, self.name, self.value)
        return self.value

    def __exit__(self, *exc):
        setattr(self.obj, self.name, self.saved)
        return False


# ---------------------------------------------------------------------------------------------
# The loop.


class Adapter:
    """The protocol state of one adapter; `answer(line)` answers one input line, and
    `answer_message(msg)` one already-parsed message (for wrappers and tests)."""
    def __init__(self, hello, sign, protocols, algorithms, features):
        self.hello = dict(hello)
        self.sign = sign
        self.protocols = list(protocols)
        self.algorithms = list(algorithms)
        self.features = list(features)

    def hello_answer(self):
        out = {"status": "ok", "language": "python", "reveals": []}
        out.update(self.hello)
        if self.protocols != [1]:
            out["protocols"] = self.protocols
            out["algorithms"] = self.algorithms
            if self.features:
                out["features"] = self.features
        return out

    def answer(self, line):
        try:
            msg = json.loads(line)
        except ValueError as e:
            return {"protocol": 1, "id": None, "status": "error", "message": f"bad JSON: {e}"}
        return self.answer_message(msg)

    def answer_message(self, msg):
        if not isinstance(msg, dict):
            return {"protocol": 1, "id": None, "status": "error", "message": "not a JSON object"}
        proto = msg.get("protocol")
        base = {"protocol": proto if proto in self.protocols else 1, "id": msg.get("id")}
        if proto not in self.protocols or isinstance(proto, bool):
            return {**base, "status": "error", "message": f"protocol {proto} not supported"}
        op = msg.get("op")
        if op == "hello":
            return {**self.hello_answer(), **base}
        if op != "sign":
            return {**base, "status": "error", "message": f"unknown op {op!r}"}
        try:
            out = self.check_capabilities(msg) or self.sign(msg)
        except Unsupported as e:
            return {**base, "status": "unsupported", "reason": str(e)}
        except Refused as e:
            return {**base, "status": "error", "message": str(e)}
        except Exception as e:  # the library (or the input) refused the case
            print(f"{msg.get('id')}:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return {**base, "status": "error", "message": f"{type(e).__name__}: {e}"}
        if not isinstance(out, dict):
            return {**base, "status": "error", "message": f"adapter: sign returned {type(out).__name__}"}
        return {"status": "ok", **out, **base}

    def check_capabilities(self, msg):
        settings = msg.get("settings")
        if not isinstance(settings, dict):
            raise ValueError("the message has no settings object")
        alg = algorithm(msg)
        if alg not in ("sigv4", "sigv4a"):
            raise ValueError(f"unknown algorithm {alg!r}")
        if alg not in self.algorithms:
            raise Unsupported(f"{self.hello.get('name')} does not sign {alg}")
        mode = (settings.get("payload") or {}).get("mode")
        if mode in STREAMING_MODES and "chunked" not in self.features:
            raise Unsupported(f"{self.hello.get('name')} does not sign aws-chunked bodies ({mode})")
        return None


def run(hello, sign, protocols=(1,), algorithms=("sigv4",), features=()):
    """Runs the protocol loop on stdin/stdout until end of input; exits 0.

    hello: the hello answer's fields (`name`, `version`, `language`, `reveals`).
    sign: message dict -> answer fields; raises Unsupported / Refused / anything else.
    protocols: (1,) or (1, 2). algorithms: what the adapter signs ("sigv4", "sigv4a").
    features: ("chunked",) when it implements the chunked extension.
    """
    adapter = Adapter(hello, sign, protocols, algorithms, features)
    sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(adapter.answer(line), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    sys.exit(0)
