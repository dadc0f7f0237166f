"""Membership: b leaves; b is invited back, joins and is kicked; b is invited back, joins and
is banned, after which b's join is refused with M_FORBIDDEN. a sees each change through /sync,
and b sees the room among its left rooms after the kick."""
from nio import (JoinResponse, RoomBanResponse, RoomInviteResponse, RoomKickResponse,
                 RoomLeaveResponse)

from common import (create_shared_room, event_in, expect, expect_error, initial_sync, log, register_and_login, run,
                    sync_until)


def membership(room_id, user_id, value, sender=None):
    """found() for sync_until: the batch's timeline has user_id's membership `value` (sent by sender)."""
    def match(s):
        return (s.get("type") == "m.room.member" and s.get("state_key") == user_id
                and s.get("content", {}).get("membership") == value and (sender is None or s.get("sender") == sender))
    return lambda resp: event_in(resp, room_id, match)


async def scenario():
    a = await register_and_login("nio-mem-a")
    b = await register_and_login("nio-mem-b")
    room_id = await create_shared_room(a, b)
    a_since = await initial_sync(a)

    async def invite_and_join(why):
        nonlocal a_since
        await expect(await a.room_invite(room_id, b.user_id), RoomInviteResponse, f"invite again {why}")
        await expect(await b.join(room_id), JoinResponse, f"join again {why}")
        _, a_since = await sync_until(a, a_since, membership(room_id, b.user_id, "join"), f"b's join {why}")

    await expect(await b.room_leave(room_id), RoomLeaveResponse, "leave")
    _, a_since = await sync_until(a, a_since, membership(room_id, b.user_id, "leave", b.user_id), "b's leave")

    await invite_and_join("before the kick")
    b_since = await initial_sync(b)
    await expect(await a.room_kick(room_id, b.user_id, reason="interop kick"), RoomKickResponse, "kick")
    _, a_since = await sync_until(a, a_since, membership(room_id, b.user_id, "leave", a.user_id), "the kick")
    await sync_until(b, b_since, lambda r: room_id in r.rooms.leave, "the room among its left rooms after the kick")

    await invite_and_join("before the ban")
    await expect(await a.room_ban(room_id, b.user_id, reason="interop ban"), RoomBanResponse, "ban")
    _, a_since = await sync_until(a, a_since, membership(room_id, b.user_id, "ban", a.user_id), "the ban")
    await expect_error(await b.join(room_id), "M_FORBIDDEN", "a banned user's join")
    log("leave, kick, ban and refused rejoin as expected")


run(scenario)
