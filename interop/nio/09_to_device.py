"""To-device messages: a sends b's device a message (nio's `to_device` with a `ToDeviceMessage`), a
retry with the same transaction id sends nothing again, a message to `*` reaches b's device too;
b sees them through /sync once, in order, from a, and not again after syncing past them."""
from nio import KeyVerificationCancel, SyncResponse, ToDeviceMessage, ToDeviceResponse

from common import check, expect, initial_sync, log, register_and_login, run, sync_until

# A type nio parses (it drops to-device types it does not know), with the content it requires.
TYPE = "m.key.verification.cancel"


def cancel(to, device, reason):
    return ToDeviceMessage(TYPE, to.user_id, device,
                           {"transaction_id": "interop-09", "code": "m.user", "reason": reason})


async def scenario():
    a = await register_and_login("nio-todevice-a")
    b = await register_and_login("nio-todevice-b")
    b_since = await initial_sync(b)

    await expect(await a.to_device(cancel(b, b.device_id, "first"), tx_id="tx-first"), ToDeviceResponse,
                 "sendToDevice to b's device")
    await expect(await a.to_device(cancel(b, b.device_id, "retried"), tx_id="tx-first"), ToDeviceResponse,
                 "sendToDevice retried with the same transaction id")
    await expect(await a.to_device(cancel(b, "*", "second"), tx_id="tx-second"), ToDeviceResponse,
                 "sendToDevice to all of b's devices")

    seen = []

    def found(resp):
        seen.extend(e for e in resp.to_device_events if isinstance(e, KeyVerificationCancel))
        return any(e.reason == "second" for e in seen)

    _, b_since = await sync_until(b, b_since, found, "a's to-device messages")
    check([e.reason for e in seen] == ["first", "second"],
          f"expected the messages first and second once, in order; got {[e.reason for e in seen]}")
    check(all(e.sender == a.user_id for e in seen), f"sender is not {a.user_id}: {[e.sender for e in seen]}")

    after = await expect(await b.sync(timeout=0, since=b_since), SyncResponse, "sync past the messages")
    check(not after.to_device_events, f"delivered again after the next sync: {after.to_device_events}")
    log("to-device messages reached the other user's device once, in order; a retried transaction sent nothing")


run(scenario)
