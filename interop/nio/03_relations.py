"""Relations and redaction: an edit (m.replace) and a reaction (m.annotation) reach the other
user intact; a redaction reaches the other user, and the redacted event's content is then empty
in /event and in a fresh /sync."""
from nio import RoomGetEventResponse, RoomRedactResponse, RoomSendResponse

from common import (check, create_shared_room, event_in, expect, full_sync, initial_sync, log, register_and_login,
                    run, sync_until, with_id)


async def send(c, room_id, event_type, content, what):
    return (await expect(await c.room_send(room_id, event_type, content), RoomSendResponse, what)).event_id


async def scenario():
    a = await register_and_login("nio-rel-a")
    b = await register_and_login("nio-rel-b")
    room_id = await create_shared_room(a, b)
    a_since, b_since = await initial_sync(a), await initial_sync(b)
    seen_by = lambda event_id: lambda r: event_in(r, room_id, with_id(event_id))

    original = await send(a, room_id, "m.room.message", {"msgtype": "m.text", "body": "original"}, "send original")
    edit_content = {"msgtype": "m.text", "body": "* edited", "m.new_content": {"msgtype": "m.text", "body": "edited"},
                    "m.relates_to": {"rel_type": "m.replace", "event_id": original}}
    edit = await send(a, room_id, "m.room.message", edit_content, "send edit (m.replace)")
    got, b_since = await sync_until(b, b_since, seen_by(edit), "the edit")
    check(got["content"] == edit_content, f"the edit reached b as {got['content']}, sent as {edit_content}")

    reaction_content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": original, "key": "👍"}}
    reaction = await send(b, room_id, "m.reaction", reaction_content, "send reaction (m.annotation)")
    got, a_since = await sync_until(a, a_since, seen_by(reaction), "the reaction")
    check(got["type"] == "m.reaction" and got["content"] == reaction_content,
          f"the reaction reached a as {got['type']} {got['content']}")

    doomed = await send(a, room_id, "m.room.message", {"msgtype": "m.text", "body": "to be redacted"}, "send")
    _, b_since = await sync_until(b, b_since, seen_by(doomed), "the message to be redacted")
    redaction = await expect(await a.room_redact(room_id, doomed, reason="interop"), RoomRedactResponse, "redact")
    got, b_since = await sync_until(b, b_since, seen_by(redaction.event_id), "the redaction")
    redacts = got.get("redacts") or got.get("content", {}).get("redacts")
    check(got["type"] == "m.room.redaction" and redacts == doomed,
          f"the redaction reached b as {got['type']} redacting {redacts}, expected {doomed}")

    event = await expect(await b.room_get_event(room_id, doomed), RoomGetEventResponse, "GET /event of redacted")
    check(event.event.source.get("content") == {},
          f"/event of the redacted event still has content {event.event.source.get('content')}")
    check("redacted_because" in event.event.source.get("unsigned", {}),
          "/event of the redacted event has no unsigned.redacted_because")
    fresh = event_in(await full_sync(b), room_id, with_id(doomed))
    check(fresh is not None, "a fresh /sync of b does not show the redacted event in the timeline")
    check(fresh.get("content") == {}, f"a fresh /sync still shows the redacted event's content {fresh.get('content')}")
    log("edit, reaction and redaction seen as expected")


run(scenario)
