"""Device lists across two federated servers: a, on the first server, shares an encrypted room with
b, on the second; a's keys_query gets b's device from b's server (federation /user/keys/query) and
nio keeps it (its signature verifies). Then b logs in a new device, which uploads its keys: b's
server tells a's (m.device_list_update EDUs), a's /sync lists b in device_lists.changed, and a's
next keys_query holds the new device, with the identity keys of its Olm account, beside the first."""
import time

from nio import KeysQueryResponse

from common import WAIT, ScenarioFailed, check, expect, log, run, second_server, sync_until
from e2e import e2e_login, e2e_user, remove_stores, shared_encrypted_room


async def query_devices(a, user_id):
    """a's keys_query (nio's: the users it tracks as outdated); the devices of user_id it returned."""
    check(user_id in a.users_for_key_query, f"{a.user_id} does not track {user_id}'s devices: {a.users_for_key_query}")
    query = await expect(await a.keys_query(), KeysQueryResponse, f"keys_query of {a.user_id}")
    return query.device_keys.get(user_id, {})


def has_keys_of(devices, c):
    """Whether devices holds c's device with the identity keys of c's Olm account."""
    identity = c.olm.account.identity_keys
    keys = devices.get(c.device_id, {}).get("keys", {})
    return (keys.get(f"ed25519:{c.device_id}") == identity["ed25519"]
            and keys.get(f"curve25519:{c.device_id}") == identity["curve25519"])


async def scenario():
    a = await e2e_user("nio-fedlists-a")
    b = await e2e_user("nio-fedlists-b", second_server())
    check(a.user_id.split(":", 1)[1] != b.user_id.split(":", 1)[1],
          f"a ({a.user_id}) and b ({b.user_id}) are on the same server")
    room_id, a_since, _ = await shared_encrypted_room(a, b, "device lists across servers")

    devices = await query_devices(a, b.user_id)
    check(has_keys_of(devices, b), f"keys_query: no keys of {b.user_id}/{b.device_id} from its server: {devices}")
    check(any(d.id == b.device_id for d in a.device_store.active_user_devices(b.user_id)),
          "nio did not keep b's device: its signature did not verify")

    b2 = await e2e_login(b.user_id, second_server())
    check(b2.device_id != b.device_id, "the new login got the same device id")

    # The login and the key upload are two changes, which may reach a's server one at a time:
    # a queries after each time b is listed as changed, until the new device shows with its keys.
    deadline = time.monotonic() + WAIT
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ScenarioFailed(f"keys_query never held b's new device {b2.device_id} with its keys: {devices}")
        _, a_since = await sync_until(a, a_since, lambda r: b.user_id in r.device_list.changed,
                                      f"{b.user_id} in device_lists.changed", timeout=left)
        devices = await query_devices(a, b.user_id)
        if has_keys_of(devices, b2):
            break
    check(has_keys_of(devices, b), f"keys_query: b's first device {b.device_id} is gone: {devices}")
    check(any(d.id == b2.device_id for d in a.device_store.active_user_devices(b.user_id)),
          "nio did not keep b's new device: its signature did not verify")
    log(f"b's new device {b2.device_id} on the other server reached a's device list and keys_query")


try:
    run(scenario)
finally:
    remove_stores()
