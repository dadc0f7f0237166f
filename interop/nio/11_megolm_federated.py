"""Megolm across two federated servers: a on the first server, b on the second, share an encrypted
room (the invite and the join cross federation). Each sends a message nio encrypts with Megolm:
keys_query and keys_claim for the other's device are answered by the other server through
federation (/user/keys/query, /user/keys/claim), and the room key travels as an Olm-encrypted
to-device message in an m.direct_to_device EDU. Each decrypts the other's message to its text;
each server serves only m.room.encrypted. A second message of a shows that a's Megolm session,
shared once, keeps working across servers."""
from common import check, log, run, second_server, unique
from e2e import check_olm_session, e2e_user, receive, remove_stores, send_encrypted, shared_encrypted_room


async def scenario():
    a = await e2e_user("nio-fedmegolm-a")
    b = await e2e_user("nio-fedmegolm-b", second_server())
    check(a.user_id.split(":", 1)[1] != b.user_id.split(":", 1)[1],
          f"a ({a.user_id}) and b ({b.user_id}) are on the same server")
    room_id, a_since, b_since = await shared_encrypted_room(a, b, "megolm across servers")

    hello = unique("hello from a on server 1")
    event_id = await send_encrypted(a, room_id, hello)
    check_olm_session(a, b)  # keys queried and a one-time key claimed from the other server
    b_since = await receive(b, b_since, room_id, event_id, hello)

    answer = unique("answer from b on server 2")
    event_id = await send_encrypted(b, room_id, answer)
    check_olm_session(b, a)
    a_since = await receive(a, a_since, room_id, event_id, answer)

    again = unique("second message from a")
    event_id = await send_encrypted(a, room_id, again)
    await receive(b, b_since, room_id, event_id, again)
    log(f"megolm messages decrypted both ways across servers in {room_id}")


try:
    run(scenario)
finally:
    remove_stores()
