// Spaces and room upgrades, across the two servers: a space on the first server holds a room of
// its own and a room of the second; getRoomHierarchy shows both, the second's described by its
// server (its name), and getRoomSummary describes that room too. Then a room is upgraded twice
// (version 10 to 11: the predecessor names the tombstone; 11 to 12: it names only the room) while
// the sdk syncs: the sdk's store gets each tombstone and each new room, findPredecessor leads back
// through them, and getRoomUpgradeHistory (with the links verified both ways) gives all three.
import {
  BASE_URL_2, check, eventually, expectOk, log, registerAndLogin, run, sdk, waitFor,
} from "./common.mjs";

const serverOf = (userId) => userId.slice(userId.indexOf(":") + 1);

run(async () => {
  check(BASE_URL_2, "no second server: run with the second server's URL as the second argument");
  const a = await registerAndLogin("js-space-a");
  const b = await registerAndLogin("js-space-b", { baseUrl: BASE_URL_2 });
  const [serverA, serverB] = [serverOf(a.getUserId()), serverOf(b.getUserId())];

  const { room_id: remoteRoom } = await expectOk(b.createRoom({ preset: "public_chat", name: "interop on two" }),
    "createRoom on the second server");
  const { room_id: space } = await expectOk(a.createRoom({
    preset: "public_chat", name: "interop space", creation_content: { type: "m.space" },
  }), "createRoom of a space");
  const { room_id: localRoom } = await expectOk(a.createRoom({ preset: "public_chat", name: "interop on one" }),
    "createRoom on the first server");
  await expectOk(a.sendStateEvent(space, "m.space.child", { via: [serverA], order: "a" }, localRoom), "m.space.child (local)");
  await expectOk(a.sendStateEvent(space, "m.space.child", { via: [serverB], order: "b" }, remoteRoom), "m.space.child (remote)");

  const hierarchy = await expectOk(a.getRoomHierarchy(space), "getRoomHierarchy");
  const ids = hierarchy.rooms.map((r) => r.room_id);
  check(JSON.stringify(ids) === JSON.stringify([space, localRoom, remoteRoom]),
    `getRoomHierarchy: expected the space, its local room and the second server's room, got ${JSON.stringify(ids)}`);
  const [root, , remote] = hierarchy.rooms;
  check(root.room_type === "m.space" && root.children_state.length === 2,
    `the space: room_type ${root.room_type}, ${root.children_state.length} children_state events`);
  check(root.children_state.every((e) => e.type === "m.space.child" && e.origin_server_ts > 0 && e.content.via?.length),
    `children_state: ${JSON.stringify(root.children_state)}`);
  check(remote.name === "interop on two" && remote.num_joined_members === 1 && remote.join_rule === "public",
    `the second server's room as the hierarchy describes it: ${JSON.stringify(remote)}`);
  check(hierarchy.next_batch === undefined, `a hierarchy of three rooms has no next page: ${hierarchy.next_batch}`);

  const summary = await expectOk(a.getRoomSummary(remoteRoom, [serverB]), "getRoomSummary of the second server's room");
  check(summary.name === "interop on two" && summary.membership === "leave",
    `getRoomSummary: ${JSON.stringify(summary)}`);

  // Room upgrades, followed by the sdk's own sync.
  const { room_id: v10 } = await expectOk(a.createRoom({ preset: "private_chat", name: "upgraded", room_version: "10" }),
    "createRoom version 10");
  const prepared = waitFor(a, sdk.ClientEvent.Sync, (state) => state === sdk.SyncState.Prepared, "startClient reaching PREPARED");
  await expectOk(a.startClient({ initialSyncLimit: 10 }), "startClient");
  try {
    await prepared;
    const upgrade = async (roomId, version) => {
      const { replacement_room: replacement } = await expectOk(a.upgradeRoom(roomId, version), `upgradeRoom to ${version}`);
      const tombstone = await eventually(() => a.getRoom(roomId)?.currentState.getStateEvents("m.room.tombstone", ""),
        `the tombstone of ${roomId} in the sdk's store`);
      check(tombstone.getContent().replacement_room === replacement,
        `the tombstone names ${tombstone.getContent().replacement_room}, the upgrade answered ${replacement}`);
      const room = await eventually(() => a.getRoom(replacement)?.getMyMembership() === "join" && a.getRoom(replacement),
        `the replacement room ${replacement} joined in the sdk's store`);
      return [room, tombstone];
    };
    const [v11, tombstone10] = await upgrade(v10, "11");
    const to10 = v11.findPredecessor();
    check(to10?.roomId === v10 && to10?.eventId === tombstone10.getId(),
      `the version 11 room's predecessor: ${JSON.stringify(to10)}, expected ${v10} and ${tombstone10.getId()}`);
    check(v11.getVersion() === "11" && v11.name === "upgraded", `the version 11 room: version ${v11.getVersion()}, name ${v11.name}`);

    const [v12] = await upgrade(v11.roomId, "12");
    const to11 = v12.findPredecessor();
    check(to11?.roomId === v11.roomId && to11?.eventId === undefined,
      `the version 12 room's predecessor: ${JSON.stringify(to11)}, expected ${v11.roomId} without an event`);

    const expected = JSON.stringify([v10, v11.roomId, v12.roomId]);
    for (const from of [v10, v12.roomId]) {
      const history = a.getRoomUpgradeHistory(from, true).map((r) => r.roomId);
      check(JSON.stringify(history) === expected, `getRoomUpgradeHistory(${from}): ${JSON.stringify(history)}, expected ${expected}`);
    }
    log("the space shows both servers' rooms; two upgrades are followed by predecessor and tombstone");
  } finally {
    a.stopClient();
  }
});
