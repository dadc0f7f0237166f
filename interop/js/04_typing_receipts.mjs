// Ephemeral events: b's typing notification (sendTyping start, then stop) and b's read receipt
// (sendReadReceipt) reach a through /sync.
import {
  createSharedRoom, ephemeral, expectOk, initialSync, log, registerAndLogin, run, sdk, syncUntil,
} from "./common.mjs";

// found() for syncUntil: the batch's latest m.typing says whether userId types.
const typingIs = (roomId, userId, typing) => (resp) => {
  const events = ephemeral(resp, roomId).filter((e) => e.type === "m.typing");
  return events.length > 0 && (events.at(-1).content?.user_ids ?? []).includes(userId) === typing;
};

// found() for syncUntil: the batch has userId's m.read receipt on eventId.
const receiptOf = (roomId, userId, eventId) => (resp) =>
  ephemeral(resp, roomId).some((e) => e.type === "m.receipt" && e.content?.[eventId]?.["m.read"]?.[userId]);

run(async () => {
  const a = await registerAndLogin("js-eph-a");
  const b = await registerAndLogin("js-eph-b");
  const roomId = await createSharedRoom(a, b);
  let aSince = await initialSync(a);
  const bId = b.getUserId();

  await expectOk(b.sendTyping(roomId, true, 30_000), "typing start");
  [, aSince] = await syncUntil(a, aSince, typingIs(roomId, bId, true), `${bId} typing`);
  await expectOk(b.sendTyping(roomId, false, 0), "typing stop");
  [, aSince] = await syncUntil(a, aSince, typingIs(roomId, bId, false), `${bId} no longer typing`);

  const { event_id: eventId } = await expectOk(a.sendMessage(roomId, { msgtype: "m.text", body: "read me" }), "send");
  const read = new sdk.MatrixEvent({ event_id: eventId, room_id: roomId, type: "m.room.message", sender: a.getUserId() });
  await expectOk(b.sendReadReceipt(read), "read receipt");
  await syncUntil(a, aSince, receiptOf(roomId, bId, eventId), `${bId}'s m.read receipt`);
  log("typing start/stop and read receipt seen by the other user");
});
