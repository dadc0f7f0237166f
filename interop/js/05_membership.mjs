// Membership: b leaves; b is invited back, joins and is kicked; b is invited back, joins and
// is banned, after which b's join is refused with M_FORBIDDEN. a sees each change through /sync,
// and b sees the room among its left rooms after the kick.
import {
  createSharedRoom, eventIn, expectError, expectOk, initialSync, log, registerAndLogin, run, syncUntil,
} from "./common.mjs";

// found() for syncUntil: the batch's timeline has userId's membership `value` (sent by sender).
const membership = (roomId, userId, value, sender) => (resp) => eventIn(resp, roomId, (e) =>
  e.type === "m.room.member" && e.state_key === userId && e.content?.membership === value &&
  (sender === undefined || e.sender === sender));

run(async () => {
  const a = await registerAndLogin("js-mem-a");
  const b = await registerAndLogin("js-mem-b");
  const [aId, bId] = [a.getUserId(), b.getUserId()];
  const roomId = await createSharedRoom(a, b);
  let aSince = await initialSync(a);

  const inviteAndJoin = async (why) => {
    await expectOk(a.invite(roomId, bId), `invite again ${why}`);
    await expectOk(b.joinRoom(roomId), `join again ${why}`);
    [, aSince] = await syncUntil(a, aSince, membership(roomId, bId, "join"), `b's join ${why}`);
  };

  await expectOk(b.leave(roomId), "leave");
  [, aSince] = await syncUntil(a, aSince, membership(roomId, bId, "leave", bId), "b's leave");

  await inviteAndJoin("before the kick");
  const bSince = await initialSync(b);
  await expectOk(a.kick(roomId, bId, "interop kick"), "kick");
  [, aSince] = await syncUntil(a, aSince, membership(roomId, bId, "leave", aId), "the kick");
  await syncUntil(b, bSince, (r) => r.rooms?.leave?.[roomId], "the room among its left rooms after the kick");

  await inviteAndJoin("before the ban");
  await expectOk(a.ban(roomId, bId, "interop ban"), "ban");
  [, aSince] = await syncUntil(a, aSince, membership(roomId, bId, "ban", aId), "the ban");
  await expectError(b.joinRoom(roomId), "M_FORBIDDEN", "a banned user's join");
  log("leave, kick, ban and refused rejoin as expected");
});
