// Messages: two users exchange 500 messages (250 each, interleaved). Each sees every message
// exactly once and in send order through /sync, and again through /messages paginated backwards
// (limit 50, createMessagesRequest) from the end of the room to its m.room.create.
import {
  ScenarioFailed, WAIT_MS, check, createSharedRoom, expectOk, initialSync, log, registerAndLogin, run, sdk, sync,
  timeline, unique,
} from "./common.mjs";

const COUNT = 500;
const PAGE = 50;

// Fails with the first difference between two ordered lists of [event_id, body].
function compare(got, expected, where) {
  const key = ([id, body]) => `${id} ${body}`;
  if (got.length === expected.length && got.every((g, i) => key(g) === key(expected[i]))) return;
  const ids = new Set(got.map(([id]) => id));
  const dups = got.length - ids.size;
  const missing = expected.filter(([id]) => !ids.has(id)).length;
  let first = got.findIndex((g, i) => i >= expected.length || key(g) !== key(expected[i]));
  if (first < 0) first = got.length;
  throw new ScenarioFailed(`${where}: got ${got.length} messages, expected ${expected.length} (${dups} duplicates, ` +
    `${missing} missing); first difference at index ${first}: got ${JSON.stringify(got[first] ?? null)}, ` +
    `expected ${JSON.stringify(expected[first] ?? null)}`);
}

// Long-polls /sync, keeping the tagged messages, until COUNT have come and one more short poll
// (which would show duplicates) brought nothing new. Returns [messages, next_batch].
async function collectSync(c, since, roomId, tag) {
  const got = [];
  let lastProgress = Date.now();
  let extraPoll = true;
  while (got.length < COUNT || extraPoll) {
    if (got.length >= COUNT) extraPoll = false;
    if (Date.now() - lastProgress > WAIT_MS) {
      throw new ScenarioFailed(`${c.getUserId()} saw ${got.length}/${COUNT} messages through /sync, then nothing for ${WAIT_MS / 1000}s`);
    }
    const resp = await sync(c, since, got.length < COUNT ? 5000 : 1000);
    since = resp.next_batch;
    if (resp.rooms?.join?.[roomId]?.timeline?.limited) {
      throw new ScenarioFailed(`sync of ${c.getUserId()}: timeline limited (a gap) after ${got.length} messages despite the filter's limit of 1000`);
    }
    const fresh = timeline(resp, roomId).filter((e) => e.content?.body?.startsWith(tag)).map((e) => [e.event_id, e.content.body]);
    if (fresh.length) {
      got.push(...fresh);
      lastProgress = Date.now();
    }
  }
  return [got, since];
}

// createMessagesRequest dir=b limit=50 from `token` until the m.room.create; messages oldest first.
async function paginateBack(c, roomId, token, tag) {
  const got = [];
  let seenCreate = false;
  for (let pages = 1; !seenCreate; pages++) {
    check(pages <= COUNT / PAGE + 20, `/messages of ${c.getUserId()}: still no m.room.create after ${pages} pages`);
    const resp = await expectOk(c.createMessagesRequest(roomId, token, PAGE, sdk.Direction.Backward),
      `GET /messages page ${pages} of ${c.getUserId()}`);
    check(resp.chunk.length <= PAGE, `/messages returned ${resp.chunk.length} events for limit ${PAGE}`);
    for (const e of resp.chunk) {
      seenCreate ||= e.type === "m.room.create";
      if (e.content?.body?.startsWith(tag)) got.push([e.event_id, e.content.body]);
    }
    if (!resp.chunk.length || !resp.end) {
      check(seenCreate, `/messages of ${c.getUserId()} ended (no \`end\` or empty chunk) after ${pages} pages without reaching m.room.create`);
      break;
    }
    token = resp.end;
  }
  return got.reverse();
}

run(async () => {
  const a = await registerAndLogin("js-msg-a");
  const b = await registerAndLogin("js-msg-b");
  const roomId = await createSharedRoom(a, b);
  const tag = unique("m");
  const since = [await initialSync(a), await initialSync(b)];
  const collectors = [a, b].map((c, i) => collectSync(c, since[i], roomId, tag));
  let failedCollector = null;
  collectors.forEach((p) => p.catch((e) => { failedCollector ??= e; }));

  const expected = [];
  const started = Date.now();
  for (let i = 0; i < COUNT; i++) {
    const sender = i % 2 === 0 ? a : b;
    const body = `${tag} ${String(i).padStart(3, "0")} from ${sender === a ? "a" : "b"}`;
    const { event_id: id } = await expectOk(sender.sendMessage(roomId, { msgtype: "m.text", body }), `send message ${i}`);
    expected.push([id, body]);
    if (failedCollector) throw failedCollector; // a syncing side that already failed stops the scenario now
  }
  log(`sent ${COUNT} messages in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  const results = await Promise.all(collectors);

  for (const [i, c] of [a, b].entries()) {
    const [got, endToken] = results[i];
    compare(got, expected, `/sync of ${c.getUserId()}`);
    compare(await paginateBack(c, roomId, endToken, tag), expected, `/messages of ${c.getUserId()}`);
  }
  log(`both users saw all ${COUNT} messages once, in order, through /sync and /messages`);
});
