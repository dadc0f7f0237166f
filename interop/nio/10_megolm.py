"""Megolm end to end, as two nio clients with Olm (python3-olm) use it: a and b share an encrypted
room; a sends a message, which nio encrypts with a Megolm session it shares with b's device over
Olm (keys_query for b's keys, keys_claim for a one-time key, the room key as an encrypted
to-device message); b's sync brings the room key and the m.room.encrypted event, and nio decrypts
it to a's text. Then b answers the same way and a decrypts. The server only ever relays
ciphertext: no plaintext appears in the events it serves."""
import json
import urllib.request
from urllib.parse import quote

from nio import (JoinResponse, KeysQueryResponse, MegolmEvent, RoomCreateResponse, RoomMessageText,
                 RoomSendResponse)

from common import BASE_URL, check, expect, initial_sync, log, run, sync_until, timeline, unique
from e2e import ENCRYPTION, e2e_user, remove_stores


async def send_encrypted(sender, room_id, body):
    """Sends body as nio does in an encrypted room: keys first, then the Megolm-encrypted event."""
    if sender.should_query_keys:
        await expect(await sender.keys_query(), KeysQueryResponse, f"keys_query of {sender.user_id}")
    resp = await expect(await sender.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body},
                                               ignore_unverified_devices=True),
                        RoomSendResponse, f"encrypted send of {sender.user_id}")
    return resp.event_id


async def receive(receiver, since, room_id, event_id, body):
    """Syncs receiver until the event arrives; checks nio decrypted it to body; returns next_batch."""
    def arrived(resp):
        return next((e for e in timeline(resp, room_id) if e.event_id == event_id), None)

    event, since = await sync_until(receiver, since, arrived, f"event {event_id}")
    check(not isinstance(event, MegolmEvent), f"{receiver.user_id} could not decrypt {event_id}: "
          f"no room key arrived (to-device) or it did not fit")
    check(isinstance(event, RoomMessageText) and event.body == body and event.decrypted,
          f"{receiver.user_id} decrypted {event_id} to {event!r}, not {body!r}")
    served = raw_event(receiver, room_id, event_id)
    check(served.get("type") == "m.room.encrypted",
          f"the server served {event_id} as {served.get('type')}, not m.room.encrypted")
    check(body not in json.dumps(served), "plaintext in the event the server served")
    return since


def raw_event(c, room_id, event_id):
    """The event as the server serves it (nio would decrypt it on the way)."""
    request = urllib.request.Request(f"{BASE_URL}/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}",
                                     headers={"Authorization": f"Bearer {c.access_token}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


async def scenario():
    a = await e2e_user("nio-megolm-a")
    b = await e2e_user("nio-megolm-b")
    a_since = await initial_sync(a)
    b_since = await initial_sync(b)

    room = await expect(await a.room_create(name="megolm", invite=[b.user_id], initial_state=[ENCRYPTION]),
                        RoomCreateResponse, "create an encrypted room")
    room_id = room.room_id
    _, b_since = await sync_until(b, b_since, lambda r: room_id in r.rooms.invite, "the invite")
    await expect(await b.join(room_id), JoinResponse, "join")
    _, b_since = await sync_until(b, b_since, lambda r: room_id in r.rooms.join, "its join")
    _, a_since = await sync_until(a, a_since, lambda r: any(
        getattr(e, "membership", None) == "join" and e.state_key == b.user_id for e in timeline(r, room_id)),
        "b's join")
    check(a.rooms[room_id].encrypted, "nio does not see the room as encrypted")

    hello = unique("hello from a")
    event_id = await send_encrypted(a, room_id, hello)
    b_since = await receive(b, b_since, room_id, event_id, hello)

    answer = unique("answer from b")
    event_id = await send_encrypted(b, room_id, answer)
    a_since = await receive(a, a_since, room_id, event_id, answer)

    again = unique("second message from a")
    event_id = await send_encrypted(a, room_id, again)
    await receive(b, b_since, room_id, event_id, again)
    log(f"megolm messages decrypted both ways in {room_id}")


try:
    run(scenario)
finally:
    remove_stores()
