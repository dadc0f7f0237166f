// Shared by the end-to-end encryption scenarios: js-sdk clients running the Rust crypto stack
// (matrix-sdk-crypto-wasm, in memory) in their own sync loop, and a matrix-nio peer with Olm
// (interop/nio/e2e_peer.py) driven over its stdin and stdout.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  BASE_URL, PASSWORD, ScenarioFailed, WAIT_MS, check, eventually, expectOk, log, registerAndLogin, sdk,
  waitFor,
} from "./common.mjs";

export const ENCRYPTION = { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } };

const started = [];

// Sets up the Rust crypto stack with an in-memory store (Node has no IndexedDB), then runs the
// sdk's sync loop until PREPARED: the first sync's device lists and one-time key counts reach
// the OlmMachine, which then uploads its device keys and one-time keys.
export async function startWithCrypto(c) {
  await expectOk(c.initRustCrypto({ useIndexedDB: false }), `initRustCrypto of ${c.getUserId()}`);
  const prepared = waitFor(c, sdk.ClientEvent.Sync, (state, _prev, data) => {
    if (state === sdk.SyncState.Error) log(`${c.getUserId()}: sync error: ${data?.error?.message ?? data?.error}`);
    return state === sdk.SyncState.Prepared;
  }, `startClient of ${c.getUserId()} reaching PREPARED`);
  await expectOk(c.startClient({ initialSyncLimit: 50 }), `startClient of ${c.getUserId()}`);
  started.push(c);
  await prepared;
  return c;
}

// A new user on a client with Rust crypto, its sync loop running.
export async function cryptoUser(prefix, opts = {}) {
  return startWithCrypto(await registerAndLogin(prefix, opts));
}

export function stopClients() {
  for (const c of started) c.stopClient();
}

export const localpart = (userId) => userId.slice(1, userId.indexOf(":"));

// A raw request with c's access token, for what the server holds (the sdk would interpret it).
export function raw(c, method, path, body, query) {
  return expectOk(c.http.authedRequest(method, path, query, body), `${method} ${path} of ${c.getUserId()}`);
}

// Answers user-interactive auth with the password, as a user typing it in would: a first try
// without auth; on 401 with flows, again with m.login.password in the session the server named.
// Returns the UIA callback the crypto API takes (authUploadDeviceSigningKeys).
export function passwordAuth(c, seen = {}) {
  return async (makeRequest) => {
    let session;
    try {
      const result = await makeRequest(null);
      seen.withoutAuth = true;
      return result;
    } catch (e) {
      if (e?.httpStatus !== 401 || !e.data?.flows) throw e;
      check(e.data.flows.some((f) => f.stages?.includes("m.login.password")),
        `UIA for ${c.getUserId()} offers no m.login.password flow: ${JSON.stringify(e.data)}`);
      session = e.data.session;
    }
    seen.password = true;
    return makeRequest({
      type: "m.login.password", identifier: { type: "m.id.user", user: c.getUserId() }, password: PASSWORD,
      ...(session ? { session } : {}),
    });
  };
}

// An encrypted private room of c's, with `invite` invited.
export async function createEncryptedRoom(c, invite = []) {
  const { room_id: roomId } = await expectOk(c.createRoom({
    name: "e2e interop", preset: "private_chat", invite, initial_state: [ENCRYPTION],
  }), `createRoom (encrypted) of ${c.getUserId()}`);
  await eventually(() => c.getRoom(roomId)?.hasEncryptionStateEvent(), `${c.getUserId()} seeing ${roomId} encrypted`);
  return roomId;
}

// Waits until c's sync loop has the event and its crypto decrypted it; returns the MatrixEvent.
// The room key may come after the event (to-device and timeline are separate): the Rust stack
// retries decryption when it arrives, so a decryption failure is only final at the deadline.
export async function decrypted(c, roomId, eventId, timeoutMs = WAIT_MS) {
  let last;
  try {
    return await eventually(() => {
      last = c.getRoom(roomId)?.findEventById(eventId);
      return last && !last.isBeingDecrypted() && !last.isDecryptionFailure() && last.getClearContent() ? last : null;
    }, `${c.getUserId()} decrypting ${eventId}`, timeoutMs);
  } catch (e) {
    if (last?.isDecryptionFailure()) {
      throw new ScenarioFailed(`${c.getUserId()} could not decrypt ${eventId}: ${last.decryptionFailureReason} ` +
        `(${last.getContent().body})`);
    }
    throw e;
  }
}

// The decrypted body, checked to have come encrypted (m.room.encrypted on the wire).
export async function decryptedBody(c, roomId, eventId, timeoutMs = WAIT_MS) {
  const event = await decrypted(c, roomId, eventId, timeoutMs);
  check(event.isEncrypted() && event.getWireType() === "m.room.encrypted",
    `${eventId} reached ${c.getUserId()} as ${event.getWireType()}, not m.room.encrypted`);
  return event.getContent().body;
}

// The server serves the event as ciphertext only.
export async function checkServedEncrypted(c, roomId, eventId, plaintext) {
  const served = await raw(c, sdk.Method.Get, `/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`);
  check(served.type === "m.room.encrypted", `the server served ${eventId} as ${served.type}, not m.room.encrypted`);
  check(!JSON.stringify(served).includes(plaintext), `plaintext in the event ${eventId} the server served`);
}

// The nio peer (interop/nio/e2e_peer.py) as a child process; request() sends one command and
// resolves with its answer, or fails with the peer's error.
export class NioPeer {
  constructor() {
    const script = fileURLToPath(new URL("../nio/e2e_peer.py", import.meta.url));
    this.proc = spawn(process.env.INTEROP_PYTHON ?? "/usr/bin/python3", [script, BASE_URL],
      { stdio: ["pipe", "pipe", "inherit"] });
    this.waiting = [];
    this.exited = null;
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.waiting.shift()?.resolve(line));
    this.proc.on("exit", (code, signal) => {
      this.exited = `the nio peer exited (${signal ?? code})`;
      for (const w of this.waiting.splice(0)) w.reject(new ScenarioFailed(this.exited));
    });
  }

  async request(cmd, timeoutMs = 3 * WAIT_MS) {
    if (this.exited) throw new ScenarioFailed(this.exited);
    const line = new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new ScenarioFailed(`nio peer ${cmd.cmd}: no answer within ${timeoutMs / 1000}s`)),
        timeoutMs);
    });
    try {
      const answer = JSON.parse(await Promise.race([line, timeout]));
      if (!answer.ok) throw new ScenarioFailed(`nio peer ${cmd.cmd}: ${answer.error}`);
      return answer;
    } finally {
      clearTimeout(timer);
    }
  }

  close() {
    if (!this.exited) this.proc.stdin.end(`${JSON.stringify({ cmd: "quit" })}\n`);
  }
}

