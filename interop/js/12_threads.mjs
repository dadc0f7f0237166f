// Threads, edits, reactions and threaded read receipts as matrix-js-sdk's models see them: b runs
// startClient with threadSupport; a builds a thread (a root and three m.thread replies) and b's
// Thread model (room.getThread) holds the three replies with length 3, with three unread
// notifications in the thread (unread_thread_notifications) and one in the main timeline. b's
// read receipt on the last reply (the sdk makes it threaded) empties the thread's count alone;
// its receipt on the root then empties the main timeline's. a edits a message: the event fetched
// through /event and through /messages carries the edit bundled (replacingEvent, getContent). Two
// reactions (m.annotation) are read back through client.relations and the live room.relations.
import {
  check, createSharedRoom, eventually, expectOk, log, registerAndLogin, run, sdk, waitFor,
} from "./common.mjs";

const BY_THREAD = JSON.stringify({ room: { timeline: { limit: 1, unread_thread_notifications: true } } });

// The counts the server gives b for the room: [main timeline, {thread root: count}], from a raw /sync.
async function serverCounts(b, roomId) {
  const resp = await expectOk(b.http.authedRequest(sdk.Method.Get, "/sync", { filter: BY_THREAD, timeout: "0" }),
    "GET /sync with unread_thread_notifications");
  const room = resp.rooms?.join?.[roomId] ?? {};
  const threads = Object.fromEntries(Object.entries(room.unread_thread_notifications ?? {})
    .map(([root, c]) => [root, c.notification_count]));
  return [room.unread_notifications?.notification_count, threads];
}

run(async () => {
  const a = await registerAndLogin("js-thr-a");
  const b = await registerAndLogin("js-thr-b");
  const roomId = await createSharedRoom(a, b);

  const prepared = waitFor(b, sdk.ClientEvent.Sync, (state) => state === sdk.SyncState.Prepared,
    "startClient (threadSupport) reaching PREPARED");
  await expectOk(b.startClient({ threadSupport: true, initialSyncLimit: 20 }), "startClient");
  try {
    await prepared;
    check(b.supportsThreads(), "the sdk does not take the server to support threads");
    const room = b.getRoom(roomId);
    check(room, `after startClient, b's store has no room ${roomId}`);

    // A thread: a root in the main timeline and three replies.
    const { event_id: root } = await expectOk(a.sendMessage(roomId, { msgtype: "m.text", body: "thread root" }),
      "send the root");
    const replies = [];
    for (const body of ["first reply", "second reply", "third reply"]) {
      const { event_id: reply } = await expectOk(a.sendMessage(roomId, {
        msgtype: "m.text", body,
        "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true,
          "m.in_reply_to": { event_id: replies.at(-1) ?? root } },
      }), `send the ${body}`);
      replies.push(reply);
    }
    const thread = await eventually(() => {
      const t = room.getThread(root);
      const ids = new Set(t?.events.map((e) => e.getId()) ?? []);
      return t && t.length === 3 && replies.every((r) => ids.has(r)) && t;
    }, "b's Thread model of the root holding the three replies with length 3");
    check(thread.rootEvent?.getId() === root, `the thread's root event is ${thread.rootEvent?.getId()}`);
    const last = thread.events.find((e) => e.getId() === replies[2]);
    check(last?.threadRootId === root, `the last reply's threadRootId is ${last?.threadRootId}`);

    const [main, threads] = await serverCounts(b, roomId);
    check(main === 1 && threads[root] === 3 && Object.keys(threads).length === 1,
      `unread counts: main ${main}, threads ${JSON.stringify(threads)}; expected main 1 and 3 in the thread`);
    await eventually(() => room.getThreadUnreadNotificationCount(root, sdk.NotificationCountType.Total) === 3
      && room.getRoomUnreadNotificationCount(sdk.NotificationCountType.Total) === 1,
      "the sdk's counts of the thread (3) and of the main timeline (1)");

    // A receipt on the last reply: the sdk sends it in the reply's thread.
    await expectOk(b.sendReadReceipt(last), "read receipt on the last reply");
    const [mainAfter, threadsAfter] = await serverCounts(b, roomId);
    check(mainAfter === 1 && !(root in threadsAfter),
      `after the threaded receipt: main ${mainAfter}, threads ${JSON.stringify(threadsAfter)}; expected main 1, thread read`);
    await eventually(() => room.getThreadUnreadNotificationCount(root, sdk.NotificationCountType.Total) === 0
      && room.getRoomUnreadNotificationCount(sdk.NotificationCountType.Total) === 1,
      "the sdk's thread count at 0 and main count still 1 after the threaded receipt");
    const rootEvent = room.findEventById(root);
    check(rootEvent, "b's room has no root event");
    await expectOk(b.sendReadReceipt(rootEvent), "read receipt on the root (main timeline)");
    const [mainRead] = await serverCounts(b, roomId);
    check(mainRead === 0, `after the main timeline's receipt the main count is ${mainRead}`);

    // An edit, bundled with the original in /event and /messages.
    const { event_id: original } = await expectOk(a.sendMessage(roomId, { msgtype: "m.text", body: "original" }),
      "send the original");
    const { event_id: edit } = await expectOk(a.sendMessage(roomId, {
      msgtype: "m.text", body: "* edited", "m.new_content": { msgtype: "m.text", body: "edited" },
      "m.relates_to": { rel_type: "m.replace", event_id: original },
    }), "send the edit");
    const mapper = b.getEventMapper();
    const fetched = mapper(await expectOk(b.fetchRoomEvent(roomId, original), "GET /event of the original"));
    check(fetched.replacingEvent()?.getId() === edit,
      `/event of the original: replacingEvent is ${fetched.replacingEvent()?.getId()}, expected ${edit}`);
    check(fetched.getContent().body === "edited", `/event of the original reads "${fetched.getContent().body}"`);
    const page = await expectOk(b.createMessagesRequest(roomId, null, 30, sdk.Direction.Backward), "GET /messages");
    const listed = page.chunk.find((e) => e.event_id === original);
    check(listed?.unsigned?.["m.relations"]?.["m.replace"]?.event_id === edit,
      `/messages has the original without its edit bundled: ${JSON.stringify(listed?.unsigned)}`);
    check(mapper(listed).getContent().body === "edited", "the original from /messages does not read as edited");

    // Reactions, read back from the server and from b's live relations.
    const thumbs = { "m.relates_to": { rel_type: "m.annotation", event_id: original, key: "👍" } };
    const party = { "m.relates_to": { rel_type: "m.annotation", event_id: original, key: "🎉" } };
    await expectOk(a.sendEvent(roomId, "m.reaction", thumbs), "react 👍");
    await expectOk(b.sendEvent(roomId, "m.reaction", party), "react 🎉");
    const { events } = await expectOk(a.relations(roomId, original, "m.annotation", "m.reaction"),
      "GET /relations of the original (m.annotation, m.reaction)");
    const keys = events.map((e) => e.getRelation()?.key).sort();
    check(JSON.stringify(keys) === JSON.stringify(["🎉", "👍"]), `client.relations gives the keys ${JSON.stringify(keys)}`);
    await eventually(() => {
      const annotations = room.relations.getChildEventsForEvent(original, "m.annotation", "m.reaction");
      return annotations?.getSortedAnnotationsByKey()?.length === 2;
    }, "b's room.relations holding both reactions to the original");
    log("thread, threaded counts and receipts, bundled edit and reactions seen as expected");
  } finally {
    b.stopClient();
  }
});
