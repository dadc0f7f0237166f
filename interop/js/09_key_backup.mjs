// Secret storage and server-side key backup with the js-sdk's Rust crypto stack, as an Element
// user who logs in on a new device and gets their history back: a sets up cross-signing, secret
// storage (a recovery key) and a key backup (bootstrapSecretStorage with setupNewKeyBackup); a
// sends a message in an encrypted room with b and decrypts b's answer, and both Megolm sessions
// end up in the backup on the server (/room_keys/keys). Then a logs in on a second device with a
// fresh crypto store: b's and a's messages do not decrypt there. The user types the recovery key
// (cryptoCallbacks.getSecretStorageKey), the device reads the backup key from secret storage
// (account data) and restores the backup; both earlier messages then decrypt.
import { check, eventually, expectOk, log, login, registerAndLogin, run, sdk, unique } from "./common.mjs";
import { decodeRecoveryKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import {
  createEncryptedRoom, cryptoUser, decryptedBody, localpart, passwordAuth, raw, startWithCrypto,
} from "./crypto.mjs";

// The secret storage callbacks of a user who knows the recovery key (typed in when asked).
function knowingRecoveryKey(recovery) {
  return {
    getSecretStorageKey: async ({ keys }) => {
      const keyId = Object.keys(keys)[0];
      return keyId ? [keyId, decodeRecoveryKey(recovery.encoded)] : null;
    },
    cacheSecretStorageKey: () => {},
  };
}

run(async () => {
  const recovery = {};
  const stop = [];
  try {
    const a = await registerAndLogin("js-kb-a", { cryptoCallbacks: knowingRecoveryKey(recovery) });
    await startWithCrypto(a);
    stop.push(a);
    const A = a.getUserId();
    const b = await cryptoUser("js-kb-b");
    stop.push(b);

    await expectOk(a.getCrypto().bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(a) }),
      "a: bootstrapCrossSigning");
    await expectOk(a.getCrypto().bootstrapSecretStorage({
      setupNewKeyBackup: true,
      createSecretStorageKey: async () => {
        const key = await a.getCrypto().createRecoveryKeyFromPassphrase();
        recovery.encoded = key.encodedPrivateKey;
        return key;
      },
    }), "a: bootstrapSecretStorage with a new key backup");
    check(recovery.encoded, "bootstrapSecretStorage did not ask for a secret storage key");
    check(await a.getCrypto().isSecretStorageReady(), "a: secret storage not ready after bootstrapSecretStorage");

    // The server holds the backup version and, in a's account data, the secrets it encrypted.
    const backup = await raw(a, sdk.Method.Get, "/room_keys/version");
    check(backup.algorithm === "m.megolm_backup.v1.curve25519-aes-sha2" && backup.version && backup.auth_data?.public_key,
      `GET /room_keys/version: ${JSON.stringify(backup)}`);
    const active = await eventually(() => a.getCrypto().getActiveSessionBackupVersion(), "a's key backup becoming active");
    check(active === backup.version, `a backs up to version ${active}, the server's current one is ${backup.version}`);
    const accountData = (type) => raw(a, sdk.Method.Get, `/user/${encodeURIComponent(A)}/account_data/${type}`);
    const { key: keyId } = await accountData("m.secret_storage.default_key");
    check(keyId, "no m.secret_storage.default_key in a's account data");
    const stored = await accountData("m.megolm_backup.v1");
    check(stored.encrypted?.[keyId]?.ciphertext && stored.encrypted[keyId].mac,
      `m.megolm_backup.v1 in a's account data is not encrypted with key ${keyId}: ${JSON.stringify(stored)}`);
    log(`a set up secret storage (key ${keyId}) and key backup version ${backup.version}`);

    const roomId = await createEncryptedRoom(a, [b.getUserId()]);
    await expectOk(b.joinRoom(roomId), "b joins");
    await eventually(() => a.getRoom(roomId)?.getMember(b.getUserId())?.membership === "join", "a seeing b's join");
    const fromA = unique("from a");
    const { event_id: aEvent } = await expectOk(a.sendMessage(roomId, { msgtype: "m.text", body: fromA }), "a sends");
    check(await decryptedBody(b, roomId, aEvent) === fromA, "b did not decrypt a's message to its text");
    const fromB = unique("from b");
    const { event_id: bEvent } = await expectOk(b.sendMessage(roomId, { msgtype: "m.text", body: fromB }), "b sends");
    check(await decryptedBody(a, roomId, bEvent) === fromB, "a did not decrypt b's message to its text");

    // Both sessions (a's own outbound one, b's inbound one) reach the backup on the server.
    const sessions = await eventually(async () => {
      const keys = await raw(a, sdk.Method.Get, "/room_keys/keys", undefined, { version: backup.version });
      const s = Object.values(keys.rooms?.[roomId]?.sessions ?? {});
      return s.length >= 2 && s;
    }, "a's two Megolm sessions in the key backup (GET /room_keys/keys)");
    check(sessions.every((s) => s.session_data?.ciphertext && s.session_data.ephemeral && s.session_data.mac),
      `backed-up sessions without encrypted session_data: ${JSON.stringify(sessions)}`);
    log(`${sessions.length} Megolm sessions of ${roomId} in backup version ${backup.version}`);
    // Only the backup may bring the keys to the new device: no other device of a's or b's is online.
    a.stopClient();
    b.stopClient();

    const a2 = await login(localpart(A), { cryptoCallbacks: knowingRecoveryKey(recovery) });
    await startWithCrypto(a2);
    stop.push(a2);
    check(a2.getDeviceId() !== a.getDeviceId(), "the second login has the first device's id");
    for (const eventId of [aEvent, bEvent]) {
      await eventually(() => a2.getRoom(roomId)?.findEventById(eventId)?.isDecryptionFailure(),
        `a's new device failing to decrypt ${eventId} before the restore`);
    }
    await expectOk(a2.getCrypto().loadSessionBackupPrivateKeyFromSecretStorage(),
      "a's new device reading the backup key from secret storage");
    const restored = await expectOk(a2.getCrypto().restoreKeyBackup(), "a's new device restoring the key backup");
    check(restored.total >= 2, `restoreKeyBackup found ${restored.total} sessions, expected 2`);
    check(await decryptedBody(a2, roomId, aEvent) === fromA, "a's new device did not decrypt a's message to its text");
    check(await decryptedBody(a2, roomId, bEvent) === fromB, "a's new device did not decrypt b's message to its text");
    log(`a's new device ${a2.getDeviceId()} restored ${restored.total} sessions (${restored.imported} imported) ` +
      `and decrypted both earlier messages`);
  } finally {
    for (const c of stop) c.stopClient();
  }
});
