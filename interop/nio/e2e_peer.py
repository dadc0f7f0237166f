"""A matrix-nio client with Olm (python3-olm) that another scenario drives: the js-sdk scenarios
spawn it to have a second, independent end-to-end encryption implementation in their rooms.

    /usr/bin/python3 interop/nio/e2e_peer.py BASE_URL

Reads one JSON command a line on stdin and answers each with one JSON line on stdout,
{"ok": true, ...} or {"ok": false, "error": "..."}; logs go to stderr. Commands:

    {"cmd": "user"}                                  register, log in, upload keys: user_id, device_id
    {"cmd": "join", "room_id": R}                    wait for the invite to R, join, see the join
    {"cmd": "send", "room_id": R, "body": B}         send B Megolm-encrypted: event_id
    {"cmd": "receive", "room_id": R, "event_id": E, "body": B}
                                                     sync until E arrives; it must decrypt to B
    {"cmd": "quit"}
"""
import asyncio
import json
import sys

from nio import JoinResponse, KeysQueryResponse, MegolmEvent, RoomMessageText, RoomSendResponse

import common
from common import ScenarioFailed, check, expect, initial_sync, log, sync_until, timeline
from e2e import e2e_user, remove_stores


class Peer:
    def __init__(self):
        self.client = None
        self.since = None

    async def user(self, _):
        self.client = await e2e_user("nio-peer")
        self.since = await initial_sync(self.client)
        return {"user_id": self.client.user_id, "device_id": self.client.device_id}

    async def join(self, cmd):
        c, room_id = self.client, cmd["room_id"]
        if room_id not in c.rooms:
            _, self.since = await sync_until(c, self.since, lambda r: room_id in r.rooms.invite, f"the invite to {room_id}")
        await expect(await c.join(room_id), JoinResponse, f"join {room_id}")
        _, self.since = await sync_until(c, self.since, lambda r: room_id in r.rooms.join, f"its join to {room_id}")
        check(c.rooms[room_id].encrypted, f"nio does not see {room_id} as encrypted")
        return {}

    async def send(self, cmd):
        c = self.client
        if c.should_query_keys:
            await expect(await c.keys_query(), KeysQueryResponse, f"keys_query of {c.user_id}")
        resp = await expect(await c.room_send(cmd["room_id"], "m.room.message", {"msgtype": "m.text", "body": cmd["body"]},
                                              ignore_unverified_devices=True),
                            RoomSendResponse, f"encrypted send of {c.user_id}")
        return {"event_id": resp.event_id}

    async def receive(self, cmd):
        c, room_id, event_id = self.client, cmd["room_id"], cmd["event_id"]

        def arrived(resp):
            return next((e for e in timeline(resp, room_id) if e.event_id == event_id), None)

        event, self.since = await sync_until(c, self.since, arrived, f"event {event_id}")
        check(not isinstance(event, MegolmEvent), f"nio could not decrypt {event_id}: no room key arrived "
              f"(to-device) or it did not fit")
        check(isinstance(event, RoomMessageText) and event.body == cmd["body"] and event.decrypted,
              f"nio decrypted {event_id} to {event!r}, not {cmd['body']!r}")
        return {}


async def serve():
    peer = Peer()
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            cmd = json.loads(line)
            if cmd["cmd"] == "quit":
                return
            try:
                answer = {"ok": True, **await getattr(peer, cmd["cmd"])(cmd)}
            except ScenarioFailed as e:
                answer = {"ok": False, "error": str(e)}
            except Exception as e:  # a crash in nio or a dropped connection is the scenario's failure too
                answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            log(f"nio peer: {cmd['cmd']} -> {answer}")
            print(json.dumps(answer), flush=True)
    finally:
        for c in common._clients:
            await c.close()


try:
    asyncio.run(serve())
finally:
    remove_stores()
