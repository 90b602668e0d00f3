"""Schemathesis hooks for scripts/schemathesis.sh.

Every well-formed Idempotency-Key the fuzzer draws is replaced by a fresh UUID before the call. The fuzzer draws the
same few short keys ("0", "00") for unrelated requests, and the service rightly answers a key reused with another
body with 422 idempotency_key_reused (docs/api.md): the check that valid data is accepted would report that contract
as a failure. Malformed keys are left alone, so their 400 is still fuzzed. Replays are covered by the Swift tests.
"""

import re
import uuid

import schemathesis

_WELL_FORMED = re.compile(r"[!-~]([ -~]{0,253}[!-~])?")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers
    if not headers:
        return
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and _WELL_FORMED.fullmatch(headers[name]):
            headers[name] = str(uuid.uuid4())
