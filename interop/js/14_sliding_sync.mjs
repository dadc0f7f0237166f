// Simplified sliding sync (MSC4186) through matrix-js-sdk's SlidingSync, as Element Web runs it:
// a list of a's rooms (setList, then start()), kept in order by the rooms' bump stamps as the
// RoomData events bring them, the newest first. Three rooms come in the order they were made;
// each message b sends moves its room to the top, arriving on the running connection; a window
// cut to the top room (setListRanges) still brings a room that a message moves into it.
import { SlidingSync, SlidingSyncEvent, SlidingSyncState } from "matrix-js-sdk/lib/sliding-sync.js";
import { BASE_URL, check, expectOk, log, registerAndLogin, run, waitFor } from "./common.mjs";

const LIST = "rooms";

run(async () => {
  const a = await registerAndLogin("js-ss-a");
  const b = await registerAndLogin("js-ss-b");
  const versions = await expectOk(a.getVersions(), "GET /versions");
  check(versions.unstable_features?.["org.matrix.simplified_msc3575"] === true,
    `/versions does not advertise org.matrix.simplified_msc3575: ${JSON.stringify(versions.unstable_features)}`);

  const rooms = [];
  for (const name of ["first", "second", "third"]) {
    const { room_id: roomId } = await expectOk(a.createRoom({ name, preset: "private_chat" }), `createRoom ${name}`);
    await expectOk(a.invite(roomId, b.getUserId()), `invite to ${name}`);
    await expectOk(b.joinRoom(roomId), `b joins ${name}`);
    rooms.push(roomId);
  }
  const [first, second, third] = rooms;
  const names = new Map(rooms.map((id, i) => [id, ["first", "second", "third"][i]]));
  const named = (ids) => ids.map((id) => names.get(id) ?? id).join(", ");

  // What the client knows of each room, from RoomData: bump stamp, name, timeline seen.
  const known = new Map();
  const slidingSync = new SlidingSync(BASE_URL, new Map(), { timeline_limit: 1, required_state: [] }, a, 10_000);
  slidingSync.on(SlidingSyncEvent.RoomData, (roomId, data) => {
    const room = known.get(roomId) ?? { bodies: [] };
    if (data.bump_stamp !== undefined) room.bumpStamp = data.bump_stamp;
    if (data.name) room.name = data.name;
    for (const e of data.timeline) {
      if (e.type === "m.room.message") room.bodies.push(e.content?.body);
    }
    known.set(roomId, room);
  });
  let errors = 0;
  slidingSync.on(SlidingSyncEvent.Lifecycle, (state, _resp, err) => {
    if (state === SlidingSyncState.RequestFinished && err) {
      errors += 1;
      log(`sliding sync request failed: ${err.message}`);
    }
  });
  const order = () => [...known.entries()].filter(([, r]) => r.bumpStamp !== undefined)
    .sort(([, x], [, y]) => y.bumpStamp - x.bumpStamp).map(([id]) => id);
  // Resolves once a response completed after which `holds()` is true.
  const afterResponse = (holds, what) => waitFor(slidingSync, SlidingSyncEvent.Lifecycle,
    (state) => state === SlidingSyncState.Complete && holds(), what);

  slidingSync.setList(LIST, { ranges: [[0, 9]], timeline_limit: 1, required_state: [["m.room.name", ""]] });
  const loop = slidingSync.start();
  try {
    await afterResponse(() => rooms.every((id) => known.has(id)), "the first response with a's three rooms");
    check(slidingSync.getListData(LIST)?.joinedCount === 3,
      `the list counts ${slidingSync.getListData(LIST)?.joinedCount} rooms, not 3`);
    check(named(order()) === "third, second, first", `first order: ${named(order())}`);
    check(known.get(first).name === "first", `the first room is named ${known.get(first).name}`);

    for (const [roomId, expected] of [[first, "first, third, second"], [second, "second, first, third"]]) {
      await expectOk(b.sendMessage(roomId, { msgtype: "m.text", body: `bump ${names.get(roomId)}` }), "send");
      await afterResponse(() => known.get(roomId).bodies.includes(`bump ${names.get(roomId)}`),
        `b's message in ${names.get(roomId)} on the running connection`);
      check(named(order()) === expected, `after a message in ${names.get(roomId)}: ${named(order())}, not ${expected}`);
    }

    // Only the top room in view; a message in the bottom room brings it into the window.
    slidingSync.setListRanges(LIST, [[0, 0]]);
    await expectOk(b.sendMessage(third, { msgtype: "m.text", body: "bump third" }), "send");
    await afterResponse(() => known.get(third).bodies.includes("bump third"), "the bottom room moving into the window");
    check(order()[0] === third, `after a message in third: ${named(order())}`);
    check(slidingSync.getListData(LIST)?.joinedCount === 3, "the list still counts 3 rooms");
    check(errors === 0, `${errors} sliding sync requests failed`);
    log(`a's list followed the bump stamps: ${named(order())}`);
  } finally {
    slidingSync.stop();
    await Promise.race([loop, new Promise((r) => setTimeout(r, 1000))]);
  }
});
