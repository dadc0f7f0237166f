// Relations and redaction: an edit (m.replace) and a reaction (m.annotation) reach the other
// user intact; a redaction (redactEvent) reaches the other user, and the redacted event's
// content is then empty in /event (fetchRoomEvent) and in a fresh /sync.
import {
  check, createSharedRoom, eventIn, expectOk, initialSync, log, registerAndLogin, run, sync, syncUntil, withId,
} from "./common.mjs";

// Deep equality regardless of key order: servers may reorder keys (Myelin stores canonical JSON).
const sorted = (v) => Array.isArray(v) ? v.map(sorted)
  : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
const same = (x, y) => JSON.stringify(sorted(x)) === JSON.stringify(sorted(y));

run(async () => {
  const a = await registerAndLogin("js-rel-a");
  const b = await registerAndLogin("js-rel-b");
  const roomId = await createSharedRoom(a, b);
  let aSince = await initialSync(a);
  let bSince = await initialSync(b);
  const seen = (eventId) => (r) => eventIn(r, roomId, withId(eventId));
  let got;

  const { event_id: original } = await expectOk(a.sendMessage(roomId, { msgtype: "m.text", body: "original" }), "send original");
  const editContent = {
    msgtype: "m.text", body: "* edited", "m.new_content": { msgtype: "m.text", body: "edited" },
    "m.relates_to": { rel_type: "m.replace", event_id: original },
  };
  const { event_id: edit } = await expectOk(a.sendMessage(roomId, editContent), "send edit (m.replace)");
  [got, bSince] = await syncUntil(b, bSince, seen(edit), "the edit");
  check(same(got.content, editContent), `the edit reached b as ${JSON.stringify(got.content)}`);

  const reactionContent = { "m.relates_to": { rel_type: "m.annotation", event_id: original, key: "👍" } };
  const { event_id: reaction } = await expectOk(b.sendEvent(roomId, "m.reaction", reactionContent), "send reaction (m.annotation)");
  [got, aSince] = await syncUntil(a, aSince, seen(reaction), "the reaction");
  check(got.type === "m.reaction" && same(got.content, reactionContent),
    `the reaction reached a as ${got.type} ${JSON.stringify(got.content)}`);

  const { event_id: doomed } = await expectOk(a.sendMessage(roomId, { msgtype: "m.text", body: "to be redacted" }), "send");
  [, bSince] = await syncUntil(b, bSince, seen(doomed), "the message to be redacted");
  const { event_id: redaction } = await expectOk(a.redactEvent(roomId, doomed, undefined, { reason: "interop" }), "redact");
  [got, bSince] = await syncUntil(b, bSince, seen(redaction), "the redaction");
  const redacts = got.redacts ?? got.content?.redacts;
  check(got.type === "m.room.redaction" && redacts === doomed,
    `the redaction reached b as ${got.type} redacting ${redacts}, expected ${doomed}`);

  const event = await expectOk(b.fetchRoomEvent(roomId, doomed), "GET /event of the redacted event");
  check(same(event.content, {}), `/event of the redacted event still has content ${JSON.stringify(event.content)}`);
  check(event.unsigned?.redacted_because, "/event of the redacted event has no unsigned.redacted_because");
  const fresh = eventIn(await sync(b, null), roomId, withId(doomed));
  check(fresh, "a fresh /sync of b does not show the redacted event in the timeline");
  check(same(fresh.content, {}), `a fresh /sync still shows the redacted event's content ${JSON.stringify(fresh.content)}`);
  log("edit, reaction and redaction seen as expected");
});
