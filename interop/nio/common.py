"""Shared by the matrix-nio scenarios: users, bounded waits, and failing with a clear message.

Each scenario is run as `/usr/bin/python3 interop/nio/NN_name.py BASE_URL BASE_URL_2` and exits 0
when every expectation held, 1 (with a `FAIL: ...` line on stderr) otherwise. BASE_URL_2 is the
client API of a second server, federating with the first.
"""
import asyncio
import os
import re
import sys
import time
import uuid

from nio import (AsyncClient, AsyncClientConfig, ErrorResponse, JoinResponse, LoginResponse, RegisterResponse, RoomCreateResponse,
                 RoomInviteResponse, SyncResponse)

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MYELIN_URL", "http://127.0.0.1:8008")
BASE_URL_2 = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("MYELIN_URL_2")
WAIT = 30  # seconds any one expectation may take
PASSWORD = "interop-password-1"
# A filter that keeps every timeline event of a sync batch (no gap to paginate over).
FULL_TIMELINE = {"room": {"timeline": {"limit": 1000}}}


class ScenarioFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise ScenarioFailed(message)


def log(message):
    print(message, file=sys.stderr, flush=True)


async def expect(resp, cls, what):
    """Returns resp when nio parsed it as cls; otherwise fails naming the request and the reply."""
    if isinstance(resp, cls):
        return resp
    raise ScenarioFailed(f"{what}: {await describe(resp)}")


async def expect_error(resp, errcode, what):
    """Fails unless resp is nio's error response with errcode."""
    if getattr(resp, "status_code", None) != errcode:
        raise ScenarioFailed(f"{what}: expected {errcode}, got {await describe(resp)}")


async def describe(resp):
    t = getattr(resp, "transport_response", None)
    if t is None:
        return str(resp)
    path = re.sub(r"access_token=[^&]*&?", "", str(t.url.relative())).rstrip("?&")
    try:
        body = (await t.text())[:300]
    except Exception:  # the body may be gone already; the status still says enough
        body = "?"
    if isinstance(resp, ErrorResponse):
        kind = "nio could not parse the reply: " if t.status < 300 else ""
        return f"{t.method} {path} -> HTTP {t.status} ({kind}{resp}) body: {body}"
    return f"{t.method} {path} -> HTTP {t.status} ({type(resp).__name__}) body: {body}"


_clients = []


def second_server():
    """The client URL of the second server; fails when the scenario was not given one."""
    check(BASE_URL_2, "no second server: pass its client URL as the second argument (or MYELIN_URL_2)")
    return BASE_URL_2


def client(user="", base_url=None):
    config = AsyncClientConfig(encryption_enabled=False, store_sync_tokens=False,
                               max_timeouts=2, max_limit_exceeded=5, request_timeout=WAIT)
    c = AsyncClient(base_url or BASE_URL, user, config=config)
    _clients.append(c)
    return c


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def register_and_login(prefix, base_url=None):
    """Registers a fresh user on the server at base_url (the first by default), then logs in with
    the password on a second client (the one returned)."""
    name = unique(prefix)
    reg = client(name, base_url)
    await expect(await reg.register(name, PASSWORD, device_name="nio register"), RegisterResponse,
                 f"register {name}")
    c = client(name, base_url)
    resp = await expect(await c.login(PASSWORD, device_name="nio interop"), LoginResponse, f"login {name}")
    check(resp.user_id.startswith(f"@{name}:"), f"login {name}: user_id is {resp.user_id}")
    check(resp.access_token and resp.device_id, f"login {name}: no access_token or device_id")
    return c


async def full_sync(c):
    """A sync without `since` (nio would otherwise continue from its last token)."""
    c.next_batch = None
    c.loaded_sync_token = None
    return await expect(await c.sync(timeout=0, sync_filter=FULL_TIMELINE), SyncResponse, f"initial sync of {c.user_id}")


async def initial_sync(c):
    """Returns the next_batch of a sync without `since`: the point to sync on from."""
    return (await full_sync(c)).next_batch


async def sync_until(c, since, found, what, timeout=WAIT):
    """Long-polls /sync from `since` until found(resp) is truthy; returns (value, next_batch).

    Fails after `timeout` seconds with `what` in the message.
    """
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ScenarioFailed(f"{c.user_id} did not see {what} through /sync within {timeout}s")
        resp = await expect(await c.sync(timeout=int(min(left, 10) * 1000), since=since, sync_filter=FULL_TIMELINE),
                            SyncResponse, f"sync of {c.user_id} waiting for {what}")
        since = resp.next_batch
        value = found(resp)
        if value:
            return value, since


def timeline(resp, room_id):
    room = resp.rooms.join.get(room_id)
    return room.timeline.events if room else []


def event_in(resp, room_id, match):
    """The raw JSON of the first timeline event of room_id whose raw JSON satisfies match, or None."""
    return next((e.source for e in timeline(resp, room_id) if match(e.source)), None)


def with_id(event_id):
    return lambda source: source.get("event_id") == event_id


def ephemeral(resp, room_id):
    room = resp.rooms.join.get(room_id)
    return room.ephemeral if room else []


async def create_shared_room(a, b):
    """a creates a private room and invites b; b sees the invite through /sync and joins."""
    b_since = await initial_sync(b)
    room = await expect(await a.room_create(name="interop"), RoomCreateResponse, "createRoom")
    room_id = room.room_id
    await expect(await a.room_invite(room_id, b.user_id), RoomInviteResponse, "invite")
    _, b_since = await sync_until(b, b_since, lambda r: room_id in r.rooms.invite, f"the invite to {room_id}")
    await expect(await b.join(room_id), JoinResponse, "join")
    return room_id


def run(scenario):
    """Runs `async scenario()` and exits 0, or 1 with a FAIL line."""
    async def main():
        try:
            await scenario()
        finally:
            for c in _clients:
                await c.close()

    try:
        asyncio.run(main())
    except ScenarioFailed as e:
        log(f"FAIL: {e}")
        sys.exit(1)
    except Exception as e:  # a crash in the client or a dropped connection is a failure too
        log(f"FAIL: {type(e).__name__}: {e}")
        raise SystemExit(1)
