"""nio's own sync loop, as nio bots run it: b runs `sync_forever` with an event callback; its
first sync gives b's room state (a and b joined), then a's message arrives through the callback."""
import asyncio

from nio import RoomMessageText, RoomSendResponse, SyncError, SyncResponse

from common import WAIT, ScenarioFailed, check, create_shared_room, describe, expect, log, register_and_login, run


async def scenario():
    a = await register_and_login("nio-sf-a")
    b = await register_and_login("nio-sf-b")
    room_id = await create_shared_room(a, b)
    b.next_batch = None  # sync_forever starts from an initial sync
    synced, sync_errors, live = asyncio.Event(), [], asyncio.get_running_loop().create_future()

    def on_message(room, event):
        if room.room_id == room_id and event.body == "live" and not live.done():
            live.set_result(event)

    b.add_response_callback(lambda resp: synced.set(), SyncResponse)
    b.add_response_callback(lambda resp: sync_errors.append(resp), SyncError)
    b.add_event_callback(on_message, RoomMessageText)
    loop = asyncio.create_task(b.sync_forever(timeout=5000))
    try:
        try:
            await asyncio.wait_for(synced.wait(), WAIT)
        except asyncio.TimeoutError:
            last = await describe(sync_errors[-1]) if sync_errors else "no answer"
            raise ScenarioFailed(f"sync_forever made no successful sync within {WAIT}s; last: {last}") from None
        room = b.rooms.get(room_id)
        check(room is not None, f"after the first sync, nio's state of b has no room {room_id}")
        check({a.user_id, b.user_id} <= set(room.users), f"nio's room state lists members {sorted(room.users)}")

        sent = await expect(await a.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "live"}),
                            RoomSendResponse, "send")
        try:
            event = await asyncio.wait_for(live, WAIT)
        except asyncio.TimeoutError:
            raise ScenarioFailed(f"the live message did not reach b's event callback within {WAIT}s") from None
        check(event.event_id == sent.event_id and event.sender == a.user_id,
              f"the callback got {event.event_id} from {event.sender}, sent {sent.event_id} from {a.user_id}")
    finally:
        loop.cancel()
    log("sync_forever synced the room state, and the live message reached the callback")


run(scenario)
