"""Ephemeral events: b's typing notification (start, then stop) and b's read receipt reach a
through /sync."""
from nio import ReceiptEvent, RoomReadMarkersResponse, RoomSendResponse, RoomTypingResponse, TypingNoticeEvent

from common import create_shared_room, ephemeral, expect, initial_sync, log, register_and_login, run, sync_until


def typing_is(room_id, user_id, typing):
    """found() for sync_until: the batch's latest m.typing says whether user_id types."""
    def found(resp):
        events = [e for e in ephemeral(resp, room_id) if isinstance(e, TypingNoticeEvent)]
        return bool(events) and (user_id in events[-1].users) == typing
    return found


def receipt_of(room_id, user_id, event_id):
    """found() for sync_until: the batch has user_id's m.read receipt on event_id."""
    def found(resp):
        return any(x.user_id == user_id and x.event_id == event_id and x.receipt_type == "m.read"
                   for e in ephemeral(resp, room_id) if isinstance(e, ReceiptEvent) for x in e.receipts)
    return found


async def scenario():
    a = await register_and_login("nio-eph-a")
    b = await register_and_login("nio-eph-b")
    room_id = await create_shared_room(a, b)
    a_since = await initial_sync(a)

    await expect(await b.room_typing(room_id, True, timeout=30000), RoomTypingResponse, "typing start")
    _, a_since = await sync_until(a, a_since, typing_is(room_id, b.user_id, True), f"{b.user_id} typing")
    await expect(await b.room_typing(room_id, False), RoomTypingResponse, "typing stop")
    _, a_since = await sync_until(a, a_since, typing_is(room_id, b.user_id, False), f"{b.user_id} no longer typing")

    sent = await expect(await a.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "read me"}),
                        RoomSendResponse, "send")
    await expect(await b.room_read_markers(room_id, sent.event_id, sent.event_id), RoomReadMarkersResponse,
                 "read_markers with m.read")
    await sync_until(a, a_since, receipt_of(room_id, b.user_id, sent.event_id), f"{b.user_id}'s m.read receipt")
    log("typing start/stop and read receipt seen by the other user")


run(scenario)
