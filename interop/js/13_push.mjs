// Push to a gateway: a tiny push gateway (a node http server on loopback, inside the scenario)
// answers POST /_matrix/push/v1/notify. b sets an HTTP pusher pointing at it (setPusher with
// data.url) and reads it back (getPushers); a mentions b, and the gateway receives the
// notification of that event: its event id, room, type, sender, content, high priority, b's
// unread count, and one device with the pusher's app id, pushkey and the highlight tweak.
import http from "node:http";
import { check, createSharedRoom, eventually, expectOk, log, registerAndLogin, run } from "./common.mjs";

// Starts the gateway on a free loopback port; resolves with [server, url, received notifications].
function startGateway() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/_matrix/push/v1/notify") {
        try {
          received.push(JSON.parse(body).notification);
        } catch {
          received.push({ unparsable: body });
        }
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ rejected: [] }));
      } else {
        res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ errcode: "M_UNRECOGNIZED" }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () =>
    resolve([server, `http://127.0.0.1:${server.address().port}/_matrix/push/v1/notify`, received])));
}

run(async () => {
  const [gateway, url, received] = await startGateway();
  try {
    const a = await registerAndLogin("js-push-a");
    const b = await registerAndLogin("js-push-b");
    const roomId = await createSharedRoom(a, b);

    const pushkey = `interop-${Date.now()}`;
    await expectOk(b.setPusher({
      kind: "http", app_id: "org.myelin.interop", app_display_name: "Interop", device_display_name: "js-sdk",
      pushkey, lang: "en", data: { url },
    }), "setPusher (POST /pushers/set)");
    const { pushers } = await expectOk(b.getPushers(), "getPushers");
    check(pushers?.length === 1 && pushers[0].pushkey === pushkey && pushers[0].data?.url === url,
      `getPushers: ${JSON.stringify(pushers)}`);

    const { event_id: mention } = await expectOk(a.sendMessage(roomId, {
      msgtype: "m.text", body: `${b.getUserId()}: a word`, "m.mentions": { user_ids: [b.getUserId()] },
    }), "send the mention");
    const note = await eventually(() => received.find((n) => n?.event_id === mention),
      `the gateway receiving the notification of ${mention} (got ${received.length} notifications)`);
    check(note.room_id === roomId && note.type === "m.room.message" && note.sender === a.getUserId(),
      `the notification names ${note.room_id} ${note.type} ${note.sender}`);
    check(note.content?.body?.endsWith("a word"), `the notification's content: ${JSON.stringify(note.content)}`);
    check(note.prio === "high", `a mention's priority is ${note.prio}`);
    check(note.counts?.unread >= 1, `the notification's counts: ${JSON.stringify(note.counts)}`);
    const device = note.devices?.[0];
    check(note.devices?.length === 1 && device.app_id === "org.myelin.interop" && device.pushkey === pushkey,
      `the notification's devices: ${JSON.stringify(note.devices)}`);
    check(device.tweaks?.highlight === true, `the mention's tweaks: ${JSON.stringify(device.tweaks)}`);
    check(!("url" in (device.data ?? {})), `the device data keeps the url: ${JSON.stringify(device.data)}`);
    log(`the gateway received the mention's notification (${received.length} in all)`);
  } finally {
    gateway.close();
  }
});
