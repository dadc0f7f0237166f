// Cross-signing and interactive verification between two js-sdk clients with the Rust crypto
// stack, as two Element users do it: a and b share an encrypted room; a sets up cross-signing
// (bootstrapCrossSigning, answering user-interactive auth with its password). b, which had
// already fetched a's devices, learns of the new identity through device_lists in /sync and sees
// a's device signed by its owner, but a not verified. Then b verifies a by SAS over to-device
// messages (request, ready, start, accept, key, mac, done): both show the same seven emoji, both
// confirm. After that b sees a as a verified identity (its user-signing key signed a's master key,
// uploaded through /keys/signatures/upload and served back by /keys/query), and a sees b as one.
// Last, a resets its cross-signing keys, which the server lets it do only after user-interactive
// auth (its password), and b sees a's identity as changed since it was verified.
import { ScenarioFailed, check, eventually, expectOk, log, run, sdk, waitFor } from "./common.mjs";
import { CrossSigningKey, CryptoEvent, VerificationPhase, VerifierEvent } from "matrix-js-sdk/lib/crypto-api/index.js";
import { createEncryptedRoom, cryptoUser, passwordAuth, raw, stopClients } from "./crypto.mjs";

async function bootstrapCrossSigning(c) {
  const seen = {};
  await expectOk(c.getCrypto().bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(c, seen) }),
    `bootstrapCrossSigning of ${c.getUserId()}`);
  check(await c.getCrypto().isCrossSigningReady(), `${c.getUserId()}: cross-signing not ready after bootstrapCrossSigning`);
  log(`${c.getUserId()} set up cross-signing (${seen.password ? "UIA answered with the password" : "no UIA asked"})`);
}

// The SAS verifier of `request` once it has one, with its emoji shown.
async function showSas(request, who) {
  const verifier = await eventually(() => request.verifier, `${who}: a verifier on the request`);
  const sas = new Promise((resolve, reject) => {
    verifier.on(VerifierEvent.ShowSas, resolve);
    verifier.on(VerifierEvent.Cancel, (e) => reject(new Error(`${who}: verification cancelled: ${e?.message ?? e?.getContent?.()?.reason}`)));
  });
  const done = verifier.verify();
  done.catch(() => {}); // awaited below; a cancel shows up through `sas` first
  return { sas: await expectOk(sas, `${who}: SAS shown`), done };
}

run(async () => {
  try {
    const a = await cryptoUser("js-xs-a");
    const b = await cryptoUser("js-xs-b");
    const A = a.getUserId(), aDevice = a.getDeviceId(), B = b.getUserId(), bDevice = b.getDeviceId();
    const roomId = await createEncryptedRoom(a, [B]);
    await expectOk(b.joinRoom(roomId), "b joins");

    // b knows a's device before a has any cross-signing identity.
    const before = await b.getCrypto().getUserDeviceInfo([A], true);
    check(before.get(A)?.has(aDevice), `b does not know a's device ${aDevice}: ${JSON.stringify([...before.get(A)?.keys() ?? []])}`);
    check(!(await b.getCrypto().userHasCrossSigningKeys(A, true)), "a has cross-signing keys before setting them up");

    await bootstrapCrossSigning(a);
    const served = await raw(b, sdk.Method.Post, "/keys/query", { device_keys: { [A]: [] } });
    const masterKey = Object.values(served.master_keys?.[A]?.keys ?? {})[0];
    const selfSigningKey = Object.values(served.self_signing_keys?.[A]?.keys ?? {})[0];
    check(masterKey && selfSigningKey, `/keys/query serves no master or self-signing key of a: ${JSON.stringify(served)}`);
    check(served.device_keys?.[A]?.[aDevice]?.signatures?.[A]?.[`ed25519:${selfSigningKey}`],
      `/keys/query serves a's device without its self-signing key's signature: ${JSON.stringify(served.device_keys?.[A])}`);
    check(!served.user_signing_keys?.[A], "/keys/query serves a's user-signing key to b");

    // b's sync loop hears of the change (device_lists.changed) and fetches a's identity again.
    await eventually(() => b.getCrypto().userHasCrossSigningKeys(A), "b learning of a's cross-signing keys through /sync");
    const deviceBefore = await eventually(async () => {
      const s = await b.getCrypto().getDeviceVerificationStatus(A, aDevice);
      return s?.signedByOwner && s;
    }, "b seeing a's device signed by its owner");
    check(!deviceBefore.crossSigningVerified && !deviceBefore.isVerified(), "b trusts a's device before verifying a");
    check(!(await b.getCrypto().getUserVerificationStatus(A)).isCrossSigningVerified(), "b sees a verified before verifying");

    await bootstrapCrossSigning(b);
    await eventually(() => a.getCrypto().userHasCrossSigningKeys(B, true), "a seeing b's cross-signing keys");

    // SAS: b asks a's device; a accepts; b starts; both see the emoji, which match; both confirm.
    const received = waitFor(a, CryptoEvent.VerificationRequestReceived, (request) => request,
      "a receiving the verification request (to-device)");
    const bRequest = await expectOk(b.getCrypto().requestDeviceVerification(A, aDevice), "b requesting verification");
    const aRequest = await received;
    check(aRequest.otherUserId === B, `the request a received is from ${aRequest.otherUserId}`);
    await expectOk(aRequest.accept(), "a accepting the request");
    await eventually(() => bRequest.phase === VerificationPhase.Ready, "b seeing the request ready");
    await expectOk(bRequest.startVerification("m.sas.v1"), "b starting SAS");
    const [bSide, aSide] = await Promise.all([showSas(bRequest, "b"), showSas(aRequest, "a")]);
    const emoji = (s) => (s.sas.sas.emoji ?? []).map(([symbol]) => symbol).join("");
    check(emoji(aSide).length > 0 && emoji(aSide) === emoji(bSide), `the SAS differ: a shows ${emoji(aSide)}, b ${emoji(bSide)}`);
    await Promise.all([expectOk(aSide.sas.confirm(), "a confirming"), expectOk(bSide.sas.confirm(), "b confirming")]);
    await Promise.all([expectOk(aSide.done, "a's verification"), expectOk(bSide.done, "b's verification")]);
    await eventually(() => aRequest.phase === VerificationPhase.Done && bRequest.phase === VerificationPhase.Done,
      "both requests done");
    log(`SAS verification done, both showed ${emoji(aSide)}`);

    // b now sees a as a verified identity, and a's device verified through cross-signing.
    await eventually(async () => (await b.getCrypto().getUserVerificationStatus(A)).isCrossSigningVerified(),
      "b seeing a as a verified identity");
    const device = await b.getCrypto().getDeviceVerificationStatus(A, aDevice);
    check(device?.crossSigningVerified && device.isVerified(), `b's view of a's device: ${JSON.stringify(device)}`);
    await eventually(async () => (await a.getCrypto().getUserVerificationStatus(B)).isCrossSigningVerified(),
      "a seeing b as a verified identity");

    // The server holds b's user-signing signature on a's master key and serves it to b.
    const bUsk = (await b.getCrypto().getCrossSigningKeyId(CrossSigningKey.UserSigning))?.replace(/^ed25519:/, "");
    let last;
    const signed = await eventually(async () => {
      last = await raw(b, sdk.Method.Post, "/keys/query", { device_keys: { [A]: [] } });
      return last.master_keys?.[A]?.signatures?.[B]?.[`ed25519:${bUsk}`] && last;
    }, "b's signature on a's master key served by /keys/query").catch((e) => {
      throw new ScenarioFailed(`${e.message}; a's master key as served to b: ${JSON.stringify(last?.master_keys?.[A])}, ` +
        `b's user-signing key ${bUsk}`);
    });
    check(Object.values(signed.master_keys[A].keys)[0] === masterKey, "a's master key changed");
    log(`b verified ${A} (device ${aDevice}) and a verified ${B} (device ${bDevice}) by SAS`);

    // a resets its identity: replacing cross-signing keys takes user-interactive auth, which a
    // answers with its password. b then sees a's identity as changed since verified.
    const seen = {};
    await expectOk(a.getCrypto().bootstrapCrossSigning({
      setupNewCrossSigning: true, authUploadDeviceSigningKeys: passwordAuth(a, seen),
    }), "a resetting its cross-signing keys");
    check(seen.password && !seen.withoutAuth, `replacing a's cross-signing keys without user-interactive auth`);
    const reset = await raw(b, sdk.Method.Post, "/keys/query", { device_keys: { [A]: [] } });
    const newMaster = Object.values(reset.master_keys?.[A]?.keys ?? {})[0];
    check(newMaster && newMaster !== masterKey, `/keys/query still serves a's old master key after the reset`);
    check(!reset.master_keys[A].signatures?.[B], "b's signature on a's old master key is served on the new one");
    await eventually(async () => {
      const s = await b.getCrypto().getUserVerificationStatus(A);
      return !s.isCrossSigningVerified() && s.wasCrossSigningVerified() && s;
    }, "b seeing a's identity changed since verified (through /sync)");
    log(`a reset its identity (UIA with the password); b sees it as no longer verified`);
  } finally {
    stopClients();
  }
});
