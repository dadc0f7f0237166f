// The js-sdk's Rust crypto stack against a second implementation, matrix-nio with Olm: a js
// client sets up its crypto (initRustCrypto) and uploads its keys, which the server then serves
// (its device keys through /keys/query, as the OlmMachine made and signed them; its one-time
// keys counted). A nio user joins its encrypted room and sends a Megolm message; the js client
// decrypts it (the room key came over Olm to-device). The js client answers and nio decrypts.
// The server serves both messages as m.room.encrypted only.
import { check, eventually, log, run, sdk, unique } from "./common.mjs";
import {
  NioPeer, checkServedEncrypted, createEncryptedRoom, cryptoUser, decryptedBody, raw, stopClients,
} from "./crypto.mjs";

run(async () => {
  const peer = new NioPeer();
  try {
    const j = await cryptoUser("js-rc");
    const userId = j.getUserId();
    const deviceId = j.getDeviceId();

    // The device keys the server serves are the ones the Rust stack holds, signed by the device.
    const own = await j.getCrypto().getOwnDeviceKeys();
    const served = await eventually(async () =>
      (await raw(j, sdk.Method.Post, "/keys/query", { device_keys: { [userId]: [] } })).device_keys?.[userId]?.[deviceId],
    `${userId}'s device keys on the server (/keys/query)`);
    check(served.keys?.[`ed25519:${deviceId}`] === own.ed25519 && served.keys?.[`curve25519:${deviceId}`] === own.curve25519,
      `/keys/query serves ${JSON.stringify(served.keys)}, the device holds ${JSON.stringify(own)}`);
    check(served.signatures?.[userId]?.[`ed25519:${deviceId}`], `/keys/query serves the device keys unsigned`);
    check(served.algorithms?.includes("m.megolm.v1.aes-sha2"), `/keys/query: algorithms ${served.algorithms}`);
    // Its one-time keys: an upload of nothing answers the count the server holds.
    const counts = await eventually(async () => {
      const c = (await raw(j, sdk.Method.Post, "/keys/upload", {})).one_time_key_counts ?? {};
      return c.signed_curve25519 > 0 && c;
    }, `${userId}'s one-time keys on the server (/keys/upload counts)`);
    log(`${userId} ${deviceId}: device keys served as uploaded, one-time keys ${JSON.stringify(counts)}`);

    const { user_id: nioUser } = await peer.request({ cmd: "user" });
    const roomId = await createEncryptedRoom(j, [nioUser]);
    await peer.request({ cmd: "join", room_id: roomId });

    const fromNio = unique("hello from nio");
    const { event_id: nioEvent } = await peer.request({ cmd: "send", room_id: roomId, body: fromNio });
    const body = await decryptedBody(j, roomId, nioEvent);
    check(body === fromNio, `the js client decrypted nio's ${nioEvent} to ${JSON.stringify(body)}, not ${fromNio}`);
    await checkServedEncrypted(j, roomId, nioEvent, fromNio);
    log(`the js client decrypted nio's message ${nioEvent}`);

    const fromJs = unique("hello from js");
    const { event_id: jsEvent } = await j.sendMessage(roomId, { msgtype: "m.text", body: fromJs });
    await checkServedEncrypted(j, roomId, jsEvent, fromJs);
    await peer.request({ cmd: "receive", room_id: roomId, event_id: jsEvent, body: fromJs });
    log(`nio decrypted the js client's message ${jsEvent}`);
  } finally {
    peer.close();
    stopClients();
  }
});
