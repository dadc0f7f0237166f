// Shared by the matrix-js-sdk scenarios: users, bounded waits, and failing with a clear message.
//
// Each scenario is run as `node interop/js/NN_name.mjs BASE_URL` and exits 0 when every
// expectation held, 1 (with a `FAIL: ...` line on stderr) otherwise.
import { randomBytes } from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { logger as sdkLogger } from "matrix-js-sdk/lib/logger.js";

export const BASE_URL = process.argv[2] ?? process.env.MYELIN_URL ?? "http://127.0.0.1:8008";
// The second server, federating with the first (interop/run starts both).
export const BASE_URL_2 = process.argv[3] ?? process.env.MYELIN_URL_2;
export const WAIT_MS = 30_000; // any one expectation may take this long
export const PASSWORD = "interop-password-1";
// A filter that keeps every timeline event of a sync batch (no gap to paginate over).
export const FULL_TIMELINE = JSON.stringify({ room: { timeline: { limit: 1000 } } });

export class ScenarioFailed extends Error {}

export function check(condition, message) {
  if (!condition) throw new ScenarioFailed(message);
}

export function log(message) {
  console.error(message);
}

// The sdk logs every request; keep quiet, the FAIL line says what matters. Parts of the sdk log
// through its global logger (the Rust crypto stack, the sending queue): its warnings stay.
sdkLogger.setLevel("warn");
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, getChild: () => quiet };

// The method and path of each failed request by URL, so that a failure can name its endpoint.
const failedRequests = new Map();
const failures = new Set();
async function fetchFn(url, init) {
  const res = await fetch(url, init);
  if (res.status >= 400 && !(res.status === 401 && String(url).includes("/register"))) { // 401: UIA's first step
    const request = `${init?.method ?? "GET"} ${new URL(url).pathname}`;
    failedRequests.set(String(url), request);
    failures.add(`${request} -> HTTP ${res.status}`);
  }
  return res;
}

// "METHOD path -> HTTP status" of every request that failed so far, once each.
export function failedRequestList() {
  return [...failures];
}

export function client(opts = {}) {
  return sdk.createClient({ baseUrl: BASE_URL, logger: quiet, fetchFn, localTimeoutMs: WAIT_MS, ...opts });
}

export function describe(e) {
  if (e instanceof sdk.MatrixError || e instanceof sdk.HTTPError) {
    const request = (e.url && failedRequests.get(String(e.url))) ?? e.url ?? "request";
    return `${request} -> HTTP ${e.httpStatus} ${e.errcode ?? ""} ${e.data?.error ?? e.message}`.replace(/ +/g, " ");
  }
  return `${e?.name}: ${e?.message}`;
}

// Awaits a request; a rejection becomes a failure naming `what` and the server's answer.
export async function expectOk(promise, what) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof ScenarioFailed) throw e;
    throw new ScenarioFailed(`${what}: ${describe(e)}`);
  }
}

// Awaits a request that must fail with `errcode`.
export async function expectError(promise, errcode, what) {
  let result;
  try {
    result = await promise;
  } catch (e) {
    check(e.errcode === errcode, `${what}: expected ${errcode}, got ${describe(e)}`);
    return e;
  }
  let shown;
  try {
    shown = JSON.stringify(result);
  } catch {
    shown = result?.constructor?.name ?? typeof result; // e.g. joinRoom's Room
  }
  throw new ScenarioFailed(`${what}: expected ${errcode}, got success: ${shown}`);
}

export function unique(prefix) {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

// Registers through user-interactive auth: a first POST /register without `auth` must answer
// 401 with the flows (one of them m.login.dummy); the second completes the dummy stage. Then
// logs in with the password and returns a client with that login's access token, created with
// `opts` (createClient's options: cryptoCallbacks, say; `baseUrl: BASE_URL_2` for the second server).
export async function registerAndLogin(prefix, opts = {}) {
  const name = unique(prefix);
  const reg = client(opts.baseUrl ? { baseUrl: opts.baseUrl } : {});
  let uia;
  try {
    const res = await reg.registerRequest({ username: name, password: PASSWORD });
    throw new ScenarioFailed(`register ${name} without auth: expected 401 with UIA flows, got ${JSON.stringify(res)}`);
  } catch (e) {
    if (e instanceof ScenarioFailed) throw e;
    uia = e.data ?? {};
    const dummy = (uia.flows ?? []).some((f) => (f.stages ?? []).includes("m.login.dummy"));
    check(e.httpStatus === 401 && dummy,
      `register ${name} without auth: expected 401 with an m.login.dummy flow, got ${describe(e)} ${JSON.stringify(uia)}`);
  }
  const auth = { type: "m.login.dummy", ...(uia.session ? { session: uia.session } : {}) };
  await expectOk(reg.registerRequest({ username: name, password: PASSWORD, auth }), `register ${name} (m.login.dummy)`);
  return login(name, opts);
}

// Logs in as `name` with the password (a new device each time); returns a client with that
// login's access token and device, created with `opts`.
export async function login(name, opts = {}) {
  const login = await expectOk(client(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}).loginRequest({
    type: "m.login.password", identifier: { type: "m.id.user", user: name }, password: PASSWORD,
    initial_device_display_name: "js-sdk interop",
  }), `login ${name}`);
  check(login.user_id?.startsWith(`@${name}:`), `login ${name}: user_id is ${login.user_id}`);
  check(login.access_token && login.device_id, `login ${name}: no access_token or device_id`);
  return client({ userId: login.user_id, accessToken: login.access_token, deviceId: login.device_id, ...opts });
}

// GET /sync with the full-timeline filter; `since` null means an initial sync.
export function sync(c, since, timeoutMs = 0) {
  const query = { filter: FULL_TIMELINE, timeout: String(timeoutMs), ...(since ? { since } : {}) };
  return expectOk(c.http.authedRequest(sdk.Method.Get, "/sync", query, undefined, { localTimeoutMs: timeoutMs + WAIT_MS }),
    `GET /sync of ${c.getUserId()}`);
}

export async function initialSync(c) {
  return (await sync(c, null)).next_batch;
}

// Long-polls /sync from `since` until found(response) is truthy; returns [value, next_batch].
export async function syncUntil(c, since, found, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new ScenarioFailed(`${c.getUserId()} did not see ${what} through /sync within ${timeoutMs / 1000}s`);
    const resp = await sync(c, since, Math.min(left, 10_000));
    since = resp.next_batch;
    const value = found(resp);
    if (value) return [value, since];
  }
}

export const timeline = (resp, roomId) => resp.rooms?.join?.[roomId]?.timeline?.events ?? [];
export const ephemeral = (resp, roomId) => resp.rooms?.join?.[roomId]?.ephemeral?.events ?? [];
export const eventIn = (resp, roomId, match) => timeline(resp, roomId).find(match);
export const withId = (eventId) => (e) => e.event_id === eventId;

// a creates a private room and invites b; b sees the invite through /sync and joins.
export async function createSharedRoom(a, b) {
  const bSince = await initialSync(b);
  const { room_id: roomId } = await expectOk(a.createRoom({ name: "interop", preset: "private_chat" }), "createRoom");
  await expectOk(a.invite(roomId, b.getUserId()), "invite");
  await syncUntil(b, bSince, (r) => r.rooms?.invite?.[roomId], `the invite to ${roomId}`);
  await expectOk(b.joinRoom(roomId), "join");
  return roomId;
}

// Resolves with the first `event` emission of `emitter` for which pick(...args) is truthy; fails
// after `timeoutMs` naming `what` and the requests that failed meanwhile.
export function waitFor(emitter, event, pick, what, timeoutMs = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      const failed = failedRequestList();
      reject(new ScenarioFailed(`${what}: nothing within ${timeoutMs / 1000}s` +
        (failed.length ? `; requests that failed: ${failed.join(", ")}` : "")));
    }, timeoutMs);
    const listener = (...args) => {
      let value;
      try {
        value = pick(...args);
      } catch (e) {
        clearTimeout(timer);
        emitter.off(event, listener);
        reject(e);
        return;
      }
      if (!value) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(value);
    };
    emitter.on(event, listener);
  });
}

// Polls `probe` (sync or async) every 200 ms until it returns something truthy; fails after
// `timeoutMs` naming `what` (for states the sdk reaches without an event to wait on).
export async function eventually(probe, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) {
      const failed = failedRequestList();
      throw new ScenarioFailed(`${what}: not within ${timeoutMs / 1000}s` +
        (failed.length ? `; requests that failed: ${failed.join(", ")}` : ""));
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Runs `async scenario()` and exits 0, or 1 with a FAIL line.
export function run(scenario) {
  scenario().then(
    () => process.exit(0),
    (e) => {
      console.error(e instanceof ScenarioFailed ? `FAIL: ${e.message}` : `FAIL: ${describe(e)}\n${e?.stack}`);
      process.exit(1);
    },
  );
}

export { sdk };
