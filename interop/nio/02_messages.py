"""Messages: two users exchange 500 messages (250 each, interleaved). Each sees every message
exactly once and in send order through /sync, and again through /messages paginated backwards
(limit 50) from the end of the room to its m.room.create."""
import asyncio
import time

from nio import MessageDirection, RoomMessagesResponse, RoomSendResponse, SyncResponse

from common import (FULL_TIMELINE, WAIT, ScenarioFailed, check, create_shared_room, expect, initial_sync, log,
                    register_and_login, run, timeline, unique)

COUNT = 500
PAGE = 50


def compare(got, expected, where):
    """Fails with the first difference between two ordered lists of (event_id, body)."""
    if got == expected:
        return
    ids = [e[0] for e in got]
    dups = len(ids) - len(set(ids))
    missing = len(set(e[0] for e in expected) - set(ids))
    first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
    raise ScenarioFailed(f"{where}: got {len(got)} messages, expected {len(expected)} ({dups} duplicates, "
                         f"{missing} missing); first difference at index {first}: "
                         f"got {got[first] if first < len(got) else None}, "
                         f"expected {expected[first] if first < len(expected) else None}")


async def collect_sync(c, since, room_id, tag):
    """Long-polls /sync, keeping the tagged messages, until COUNT have come and one more short
    poll (which would show duplicates) brought nothing new."""
    got, last_progress, extra_poll = [], time.monotonic(), True
    while len(got) < COUNT or extra_poll:
        if len(got) >= COUNT:
            extra_poll = False
        if time.monotonic() - last_progress > WAIT:
            raise ScenarioFailed(f"{c.user_id} saw {len(got)}/{COUNT} messages through /sync, "
                                 f"then nothing for {WAIT}s")
        poll_ms = 5000 if len(got) < COUNT else 1000
        resp = await expect(await c.sync(timeout=poll_ms, since=since, sync_filter=FULL_TIMELINE), SyncResponse,
                            f"sync of {c.user_id}")
        since = resp.next_batch
        room = resp.rooms.join.get(room_id)
        if room and room.timeline.limited:
            raise ScenarioFailed(f"sync of {c.user_id}: timeline limited (a gap) after {len(got)} messages "
                                 f"despite the filter's limit of 1000")
        new = [(e.event_id, e.body) for e in timeline(resp, room_id) if getattr(e, "body", "").startswith(tag)]
        if new:
            got += new
            last_progress = time.monotonic()
    return got, since


async def paginate_back(c, room_id, token, tag):
    """GET /messages dir=b limit=50 from `token` until the m.room.create; returns messages oldest first."""
    got, seen_create, pages = [], False, 0
    while not seen_create:
        pages += 1
        check(pages <= COUNT // PAGE + 20, f"/messages of {c.user_id}: still no m.room.create after {pages} pages")
        resp = await expect(await c.room_messages(room_id, token, direction=MessageDirection.back, limit=PAGE),
                            RoomMessagesResponse, f"/messages page {pages} of {c.user_id}")
        check(len(resp.chunk) <= PAGE, f"/messages returned {len(resp.chunk)} events for limit {PAGE}")
        for e in resp.chunk:
            seen_create |= e.source.get("type") == "m.room.create"
            if getattr(e, "body", "").startswith(tag):
                got.append((e.event_id, e.body))
        if not resp.chunk or not resp.end:
            check(seen_create, f"/messages of {c.user_id} ended (no `end` or empty chunk) after {pages} pages "
                               f"without reaching m.room.create")
            break
        token = resp.end
    got.reverse()
    return got


async def scenario():
    a = await register_and_login("nio-msg-a")
    b = await register_and_login("nio-msg-b")
    room_id = await create_shared_room(a, b)
    since = {a: await initial_sync(a), b: await initial_sync(b)}
    tag = unique("m")
    collectors = [asyncio.create_task(collect_sync(c, since[c], room_id, tag)) for c in (a, b)]

    expected, started = [], time.monotonic()
    try:
        for i in range(COUNT):
            sender = a if i % 2 == 0 else b
            body = f"{tag} {i:03d} from {'a' if sender is a else 'b'}"
            sent = await expect(await sender.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body}),
                                RoomSendResponse, f"send message {i}")
            expected.append((sent.event_id, body))
            for t in collectors:  # a syncing side that already failed stops the scenario now
                if t.done() and t.exception():
                    raise t.exception()
        log(f"sent {COUNT} messages in {time.monotonic() - started:.1f}s")
        results = await asyncio.gather(*collectors)
    finally:
        for t in collectors:
            t.cancel()

    for c, (got, end_token) in zip((a, b), results):
        compare(got, expected, f"/sync of {c.user_id}")
        compare(await paginate_back(c, room_id, end_token, tag), expected, f"/messages of {c.user_id}")
    log(f"both users saw all {COUNT} messages once, in order, through /sync and /messages")


run(scenario)
