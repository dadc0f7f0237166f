"""Shared by the matrix-nio scenarios that encrypt: clients with an Olm store of their own
(python3-olm), an encrypted room two of them share, and Megolm messages sent and decrypted."""
import json
import shutil
import tempfile
import urllib.request
from urllib.parse import quote

from nio import (AsyncClient, AsyncClientConfig, EncryptionError, JoinResponse, KeysQueryResponse, KeysUploadResponse, LoginResponse,
                 MegolmEvent, RegisterResponse, RoomCreateResponse, RoomMessageText, RoomSendResponse)

import common
from common import BASE_URL, PASSWORD, WAIT, check, expect, initial_sync, log, sync_until, timeline, unique

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
_stores = []


def e2e_client(name, base_url=None):
    """A nio client of the server at base_url (the first by default) with encryption on and an
    Olm store of its own."""
    store = tempfile.mkdtemp(prefix="nio-store-")
    _stores.append(store)
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, max_timeouts=2,
                               max_limit_exceeded=5, request_timeout=WAIT)
    c = AsyncClient(base_url or BASE_URL, name, store_path=store, config=config)
    common._clients.append(c)
    return c


async def e2e_user(prefix, base_url=None):
    """Registers a user on the server at base_url (the first by default) and logs in on an
    encrypting client that has uploaded its keys."""
    name = unique(prefix)
    await expect(await common.client(name, base_url).register(name, PASSWORD), RegisterResponse, f"register {name}")
    return await e2e_login(name, base_url)


async def e2e_login(name, base_url=None):
    """Logs name in on a new device with an Olm store of its own, which uploads its keys."""
    c = e2e_client(name, base_url)
    await expect(await c.login(PASSWORD, device_name="nio e2e"), LoginResponse, f"login {name}")
    check(c.olm is not None, f"{name}: nio did not load its encryption store after login")
    check(c.should_upload_keys, f"{name}: a new device has keys to upload")
    up = await expect(await c.keys_upload(), KeysUploadResponse, f"keys_upload of {c.user_id}")
    check(up.signed_curve25519_count > 0, f"keys_upload of {c.user_id}: counts {up}")
    check(c.olm_account_shared, f"{c.user_id}: nio did not take its keys as uploaded")
    return c


async def shared_encrypted_room(a, b, name):
    """a creates an encrypted room and invites b, b joins, a sees the join (b may be on the other
    server: the invite and the join then cross federation). Returns (room id, a's and b's next_batch)."""
    a_since = await initial_sync(a)
    b_since = await initial_sync(b)
    room = await expect(await a.room_create(name=name, invite=[b.user_id], initial_state=[ENCRYPTION]),
                        RoomCreateResponse, "create an encrypted room")
    room_id = room.room_id
    _, b_since = await sync_until(b, b_since, lambda r: room_id in r.rooms.invite, f"the invite to {room_id}")
    await expect(await b.join(room_id), JoinResponse, f"join of {b.user_id}")
    _, b_since = await sync_until(b, b_since, lambda r: room_id in r.rooms.join, "its join")
    _, a_since = await sync_until(a, a_since, lambda r: any(
        getattr(e, "membership", None) == "join" and e.state_key == b.user_id for e in timeline(r, room_id)),
        f"the join of {b.user_id}")
    check(a.rooms[room_id].encrypted, f"nio of {a.user_id} does not see the room as encrypted")
    check(b.rooms[room_id].encrypted, f"nio of {b.user_id} does not see the room as encrypted")
    return room_id, a_since, b_since


async def send_encrypted(sender, room_id, body):
    """Sends body as nio does in an encrypted room: keys first, then the Megolm-encrypted event."""
    if sender.should_query_keys:
        await expect(await sender.keys_query(), KeysQueryResponse, f"keys_query of {sender.user_id}")
    resp = await expect(await sender.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body},
                                               ignore_unverified_devices=True),
                        RoomSendResponse, f"encrypted send of {sender.user_id}")
    return resp.event_id


async def receive(receiver, since, room_id, event_id, body):
    """Syncs receiver until the event arrives; checks nio decrypted it to body and that the
    receiver's server serves it as ciphertext; returns next_batch."""
    def arrived(resp):
        return next((e for e in timeline(resp, room_id) if e.event_id == event_id), None)

    event, since = await sync_until(receiver, since, arrived, f"event {event_id}")
    if isinstance(event, MegolmEvent):
        # The room key (to-device) and the event may arrive in either order: a server handles a
        # transaction's EDUs and PDUs side by side, as Synapse does. A client decrypts the event
        # once the key is there; so does this one.
        log(f"{event_id} came before its room key; waiting for the key")
        event, since = await sync_until(receiver, since, lambda _: decrypted(receiver, event),
                                        f"the room key of {event_id} (to-device)")
    check(isinstance(event, RoomMessageText) and event.body == body and event.decrypted,
          f"{receiver.user_id} decrypted {event_id} to {event!r}, not {body!r}")
    served = raw_event(receiver, room_id, event_id)
    check(served.get("type") == "m.room.encrypted",
          f"the server served {event_id} as {served.get('type')}, not m.room.encrypted")
    check(body not in json.dumps(served), "plaintext in the event the server served")
    return since


def check_olm_session(sender, receiver):
    """Checks that sender's nio knows receiver's device (from keys_query) and holds an Olm session
    with it (made from a one-time key keys_claim returned): how the room key went to it."""
    device = next((d for d in sender.device_store.active_user_devices(receiver.user_id)
                   if d.id == receiver.device_id), None)
    check(device is not None, f"{sender.user_id}'s keys_query did not bring {receiver.user_id}'s device "
          f"{receiver.device_id} (or nio rejected its signature)")
    check(device.curve25519 == receiver.olm.account.identity_keys["curve25519"],
          f"{receiver.user_id}/{receiver.device_id}: keys_query gave another identity key than its device's")
    check(sender.olm.session_store.get(device.curve25519) is not None,
          f"{sender.user_id} has no Olm session with {receiver.user_id}/{receiver.device_id}: "
          f"keys_claim gave no one-time key it could use")


def decrypted(c, event):
    """event decrypted by c's Olm machine, or None while c has not received its room key."""
    try:
        return c.decrypt_event(event)
    except EncryptionError:
        return None


def raw_event(c, room_id, event_id):
    """The event as c's server serves it (nio would decrypt it on the way)."""
    request = urllib.request.Request(f"{c.homeserver}/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}",
                                     headers={"Authorization": f"Bearer {c.access_token}"})
    with urllib.request.urlopen(request, timeout=WAIT) as answer:
        return json.loads(answer.read())


def remove_stores():
    for store in _stores:
        shutil.rmtree(store, ignore_errors=True)
