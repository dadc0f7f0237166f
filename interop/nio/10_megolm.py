"""Megolm end to end, as two nio clients with Olm (python3-olm) use it: a and b share an encrypted
room; a sends a message, which nio encrypts with a Megolm session it shares with b's device over
Olm (keys_query for b's keys, keys_claim for a one-time key, the room key as an encrypted
to-device message); b's sync brings the room key and the m.room.encrypted event, and nio decrypts
it to a's text. Then b answers the same way and a decrypts. The server only ever relays
ciphertext: no plaintext appears in the events it serves. 11_megolm_federated does the same with
b on the second server."""
from common import log, run, unique
from e2e import e2e_user, receive, remove_stores, send_encrypted, shared_encrypted_room


async def scenario():
    a = await e2e_user("nio-megolm-a")
    b = await e2e_user("nio-megolm-b")
    room_id, a_since, b_since = await shared_encrypted_room(a, b, "megolm")

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
