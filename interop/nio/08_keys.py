"""End-to-end encryption keys: a logs in with an encryption store and uploads its device keys and
one-time keys (keys_upload); b, sharing an encrypted room with a, learns through /sync that a's
device list changed, queries a's keys (keys_query: nio keeps a's device only if its signature
verifies, and its identity keys must be those of a's Olm account), claims a one-time key
(keys_claim: nio starts an Olm session with it only if the key's signature verifies), and a's next
sync counts one one-time key fewer. A second device of a, once it uploads its keys, is a change b
sees through /sync."""
from nio import JoinResponse, KeysClaimResponse, KeysQueryResponse, RoomCreateResponse, SyncResponse

from common import check, expect, initial_sync, log, run, sync_until
from e2e import ENCRYPTION, e2e_login, e2e_user, remove_stores


async def one_time_key_count(c, since):
    resp = await expect(await c.sync(timeout=0, since=since), SyncResponse, f"sync of {c.user_id}")
    return resp.device_key_count.signed_curve25519, resp.next_batch


async def scenario():
    a = await e2e_user("nio-keys-a")
    b = await e2e_user("nio-keys-b")
    a_identity = a.olm.account.identity_keys

    b_since = await initial_sync(b)
    room = await expect(await a.room_create(name="e2e", invite=[b.user_id], initial_state=[ENCRYPTION]),
                        RoomCreateResponse, "create an encrypted room")
    _, b_since = await sync_until(b, b_since, lambda r: room.room_id in r.rooms.invite, "the invite")
    await expect(await b.join(room.room_id), JoinResponse, "join")
    _, b_since = await sync_until(b, b_since, lambda r: room.room_id in r.rooms.join, "its join")
    check(a.user_id in b.users_for_key_query, f"b does not track a's devices: {b.users_for_key_query}")

    query = await expect(await b.keys_query(), KeysQueryResponse, "keys_query of b")
    device = query.device_keys.get(a.user_id, {}).get(a.device_id)
    check(device is not None, f"keys_query: no keys of {a.user_id}/{a.device_id} in {query.device_keys}")
    check(device["keys"].get(f"ed25519:{a.device_id}") == a_identity["ed25519"], f"keys_query: ed25519 of a: {device}")
    check(device["keys"].get(f"curve25519:{a.device_id}") == a_identity["curve25519"], f"keys_query: curve25519: {device}")
    known = b.device_store.active_user_devices(a.user_id)
    check(any(d.id == a.device_id and d.ed25519 == a_identity["ed25519"] for d in known),
          "nio did not keep a's device: its signature did not verify")

    count_before, a_since = await one_time_key_count(a, None)
    claim = await expect(await b.keys_claim({a.user_id: [a.device_id]}), KeysClaimResponse, "keys_claim of b")
    keys = claim.one_time_keys.get(a.user_id, {}).get(a.device_id, {})
    check(len(keys) == 1 and next(iter(keys)).startswith("signed_curve25519:"), f"keys_claim: {claim.one_time_keys}")
    check(b.olm.session_store.get(a_identity["curve25519"]),
          "nio started no Olm session with the claimed key: its signature did not verify")
    again = await expect(await b.keys_claim({a.user_id: [a.device_id]}), KeysClaimResponse, "second keys_claim")
    check(again.one_time_keys[a.user_id][a.device_id].keys() != keys.keys(), "the same one-time key handed out twice")
    count_after, _ = await one_time_key_count(a, a_since)
    check(count_after == count_before - 2, f"a's one-time keys: {count_before} before two claims, {count_after} after")

    await e2e_login(a.user_id)
    await sync_until(b, b_since, lambda r: a.user_id in r.device_list.changed, "a's new device in device_lists.changed")
    log(f"keys uploaded, queried, claimed ({count_before} -> {count_after} one-time keys) and a new device tracked")


try:
    run(scenario)
finally:
    remove_stores()
