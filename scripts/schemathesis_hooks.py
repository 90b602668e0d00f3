"""Schemathesis hooks for scripts/schemathesis.sh.

Every well-formed Idempotency-Key the fuzzer draws is replaced by a fresh UUID before the call. The fuzzer draws the
same few short keys ("0", "00") for unrelated requests, and the service rightly answers a key reused with another
body with 422 idempotency_key_reused (docs/api.md): the check that valid data is accepted would report that contract
as a failure. Malformed keys are left alone, so their 400 is still fuzzed. Replays are covered by the Swift tests.

Likewise, an `expires_at` (API keys, credit grants) that lies in the past — or so close to now that it has passed when
the request arrives — is moved a day into the future: "must be in the future" depends on the clock, which no schema
can say, and the Swift tests cover its 422. Malformed values are left alone.

A well-formed webhook URL (the document's pattern) is pointed at 127.0.0.1, a host the run's config allows: whether an
arbitrary https host resolves, and to a public address, is the network's state, not the request's shape (the Swift tests
cover the 422s of the SSRF guard). Malformed URLs are left alone, so their 422 is still fuzzed.

An upload's bytes are replaced by a real 2×2 PNG (`POST /api/mv/uploads`): what a file IS is content, not shape
(any bytes are a schema-valid binary body, yet only real images and songs are accepted), so the check that valid data
is accepted would report every 415 as a failure. The declared media type is left as drawn, so the route is still fuzzed
with every Content-Type and both body encodings; the Swift tests cover every refusal. The PNG goes in as the request's
own body (`data`, or `files` for multipart), not into `case.body`: schemathesis revalidates a body a hook changed, and a
bytes value never validates as `format: binary`, so the case would turn negative and its 200 be reported. A body drawn
as negative data is left alone, so the check that invalid data is refused still sees what the fuzzer meant.

And a cost report's `from` and `to` are put in order (a range that ends before it starts is refused with 422, which no
schema can say either; the Swift tests cover it).
"""

import base64
import datetime
import re
import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation

_WELL_FORMED = re.compile(r"[!-~]([ -~]{0,253}[!-~])?")


_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAABAAAAAQBPJcTWAAAAD0lEQVR4nGNgYPgHRmAKABfeA/n0AEaqAAAAAElFTkSuQmCC"
)


@schemathesis.hook
def before_call(context, case, kwargs):
    _real_upload(case, kwargs)
    _future_expiry(case.body)
    _local_webhook_url(case)
    _ordered_range(case.query)
    headers = case.headers
    if not headers:
        return
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and _WELL_FORMED.fullmatch(headers[name]):
            headers[name] = str(uuid.uuid4())


_WEBHOOK_URL = re.compile(r"https?://[A-Za-z0-9.:_\[\]-]+([/?][!-~]*)?")


def _local_webhook_url(case):
    body = case.body
    if "/webhooks" not in case.path or not isinstance(body, dict) or not isinstance(body.get("url"), str):
        return
    if len(body["url"]) <= 2000 and _WEBHOOK_URL.fullmatch(body["url"]):
        body["url"] = "http://127.0.0.1:9/schemathesis"


def _future_expiry(body):
    if not isinstance(body, dict) or not isinstance(body.get("expires_at"), str):
        return
    try:
        when = datetime.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    except ValueError:
        return
    if when.tzinfo is None:
        return
    now = datetime.datetime.now(datetime.timezone.utc)
    if when < now + datetime.timedelta(minutes=5):
        body["expires_at"] = (now + datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z")


def _instant(text):
    try:
        if len(text) == 10:
            return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return when if when.tzinfo else None
    except (ValueError, TypeError):
        return None


def _ordered_range(query):
    try:
        _order(query)
    except OverflowError:
        pass  # a bound next to year 1 or 9999: left as drawn (the server answers it, in range or 422)


def _order(query):
    if not isinstance(query, dict):
        return
    start = _instant(query["from"]) if isinstance(query.get("from"), str) else None
    end = _instant(query["to"]) if isinstance(query.get("to"), str) else None
    if start is None:
        return
    if end is None and "to" not in query:
        now = datetime.datetime.now(datetime.timezone.utc)
        if start >= now - datetime.timedelta(days=2):
            query["to"] = (start + datetime.timedelta(days=2)).strftime("%Y-%m-%d")
        return
    if end is not None and start >= end - datetime.timedelta(days=2):
        query["from"], query["to"] = query["to"], query["from"]
        if _instant(query["from"]) >= _instant(query["to"]) - datetime.timedelta(days=2):
            query["to"] = (_instant(query["from"]) + datetime.timedelta(days=3)).strftime("%Y-%m-%d")


def _real_upload(case, kwargs):
    if case.method.upper() != "POST" or case.path != "/api/mv/uploads":
        return
    meta = case.meta
    if meta is not None and meta.is_negative_at(ParameterLocation.BODY):
        return
    if isinstance(case.body, dict):
        kwargs["files"] = {"file": ("upload.png", _PNG, "image/png")}
    else:
        kwargs["data"] = _PNG
