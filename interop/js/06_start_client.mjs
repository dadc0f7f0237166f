// The sdk's own sync loop, as Element and other js-sdk clients run it: b calls startClient and
// must reach the PREPARED state with the shared room in its store; a message from a then arrives
// live as a RoomEvent.Timeline event, and b's read receipt on it (sendReadReceipt with the sdk's
// own MatrixEvent) and typing notification are accepted.
import { check, createSharedRoom, expectOk, log, registerAndLogin, run, sdk, waitFor } from "./common.mjs";

run(async () => {
  const a = await registerAndLogin("js-sc-a");
  const b = await registerAndLogin("js-sc-b");
  const roomId = await createSharedRoom(a, b);

  const prepared = waitFor(b, sdk.ClientEvent.Sync, (state, _prev, data) => {
    if (state === sdk.SyncState.Error) log(`startClient sync error: ${data?.error?.message ?? data?.error}`);
    return state === sdk.SyncState.Prepared;
  }, "startClient reaching PREPARED");
  await expectOk(b.startClient({ initialSyncLimit: 20 }), "startClient");
  try {
    await prepared;
    const room = b.getRoom(roomId);
    check(room, `after startClient, b's store has no room ${roomId}`);
    check(room.getMyMembership() === "join", `after startClient, b's membership is ${room.getMyMembership()}`);

    const arrived = waitFor(b, sdk.RoomEvent.Timeline, (event, r, toStartOfTimeline) =>
      r?.roomId === roomId && !toStartOfTimeline && event.getContent().body === "live" && event,
    "the live message as a RoomEvent.Timeline event");
    const { event_id: eventId } = await expectOk(a.sendMessage(roomId, { msgtype: "m.text", body: "live" }), "send");
    const event = await arrived;
    check(event.getId() === eventId, `the live event has id ${event.getId()}, sent as ${eventId}`);
    check(event.getSender() === a.getUserId(), `the live event's sender is ${event.getSender()}`);

    await expectOk(b.sendReadReceipt(event), "read receipt on the sdk's MatrixEvent");
    await expectOk(b.sendTyping(roomId, true, 10_000), "typing");
    log("startClient reached PREPARED, the live message arrived, receipt and typing accepted");
  } finally {
    b.stopClient();
  }
});
