"""To-device messages across two federated servers: a, on the first server, sends b's device on the
second server a message (nio's `to_device` with a `ToDeviceMessage`), retries it with the same
transaction id (nothing is sent again), and sends one to `*` (all of b's devices, which b's server
expands). a's server relays them in m.direct_to_device EDUs; b sees each once, in order, with a as
sender and the content a sent, through /sync, and not again after syncing past them."""
from nio import KeyVerificationCancel, SyncResponse, ToDeviceMessage, ToDeviceResponse

from common import check, expect, initial_sync, log, register_and_login, run, second_server, sync_until

# A type nio parses (it drops to-device types it does not know), with the content it requires.
TYPE = "m.key.verification.cancel"


def cancel(to, device, reason):
    return ToDeviceMessage(TYPE, to.user_id, device,
                           {"transaction_id": "interop-12", "code": "m.user", "reason": reason})


async def scenario():
    a = await register_and_login("nio-fedtodevice-a")
    b = await register_and_login("nio-fedtodevice-b", second_server())
    check(a.user_id.split(":", 1)[1] != b.user_id.split(":", 1)[1],
          f"a ({a.user_id}) and b ({b.user_id}) are on the same server")
    b_since = await initial_sync(b)

    await expect(await a.to_device(cancel(b, b.device_id, "first"), tx_id="tx-first"), ToDeviceResponse,
                 "sendToDevice to b's device on the other server")
    await expect(await a.to_device(cancel(b, b.device_id, "retried"), tx_id="tx-first"), ToDeviceResponse,
                 "sendToDevice retried with the same transaction id")
    await expect(await a.to_device(cancel(b, "*", "second"), tx_id="tx-second"), ToDeviceResponse,
                 "sendToDevice to all of b's devices on the other server")

    seen = []

    def found(resp):
        seen.extend(e for e in resp.to_device_events if isinstance(e, KeyVerificationCancel))
        return any(e.reason == "second" for e in seen)

    _, b_since = await sync_until(b, b_since, found, "a's to-device messages from the other server")
    check([e.reason for e in seen] == ["first", "second"],
          f"expected the messages first and second once, in order; got {[e.reason for e in seen]}")
    check(all(e.sender == a.user_id for e in seen), f"sender is not {a.user_id}: {[e.sender for e in seen]}")
    check(all(e.source.get("content") == {"transaction_id": "interop-12", "code": "m.user", "reason": e.reason}
              for e in seen), f"content changed on the way: {[e.source for e in seen]}")
    check(all(e.source.get("type") == TYPE for e in seen), f"type changed on the way: {[e.source for e in seen]}")

    after = await expect(await b.sync(timeout=0, since=b_since), SyncResponse, "sync past the messages")
    check(not after.to_device_events, f"delivered again after the next sync: {after.to_device_events}")
    log("to-device messages crossed servers to the other user's device once, in order; a retry sent nothing")


run(scenario)
