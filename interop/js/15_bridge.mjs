// A bridge built on matrix-appservice-bridge: interop/run registered it with the first server
// (app_service_config_files) and hands the scenario its registration file and port
// (INTEROP_BRIDGE_REGISTRATION, INTEROP_BRIDGE_PORT). The bridge listens for transactions; a
// js-sdk user invites its virtual user @bridge_echo_…, whom the bridge makes join (its Intent
// registers the user with m.login.application_service first), then says something; the bridge
// receives the message in a transaction and answers as the virtual user, and the js-sdk user sees
// the answer, sent by @bridge_echo_…, through /sync.
import { Bridge } from "matrix-appservice-bridge";
import { BASE_URL, check, eventually, expectOk, log, registerAndLogin, run, unique } from "./common.mjs";

const REGISTRATION = process.env.INTEROP_BRIDGE_REGISTRATION;
const PORT = Number(process.env.INTEROP_BRIDGE_PORT);

run(async () => {
  check(REGISTRATION && PORT, "INTEROP_BRIDGE_REGISTRATION and INTEROP_BRIDGE_PORT must be set (interop/run sets them)");
  const a = await registerAndLogin("js-bridge-a");
  const domain = a.getUserId().split(":").slice(1).join(":");
  const echo = `@${unique("bridge_echo")}:${domain}`;
  const seen = [];
  const bridge = new Bridge({
    homeserverUrl: BASE_URL,
    domain,
    registration: REGISTRATION,
    disableStores: true,
    controller: {
      onUserQuery: () => ({}),
      onEvent: async (request) => {
        const event = request.getData();
        seen.push(`${event.type} ${event.sender}`);
        if (event.type === "m.room.member" && event.state_key === echo && event.content?.membership === "invite") {
          await bridge.getIntent(echo).join(event.room_id);
        } else if (event.type === "m.room.message" && event.sender === a.getUserId()) {
          await bridge.getIntent(echo).sendText(event.room_id, `echo: ${event.content.body}`);
        }
      },
    },
  });
  await bridge.initialise();
  await bridge.listen(PORT, "127.0.0.1");
  try {
    const { room_id: roomId } = await expectOk(a.createRoom({ invite: [echo] }), "createRoom inviting the virtual user");
    await eventually(async () => (await a.getJoinedRoomMembers(roomId)).joined?.[echo],
      `${echo} joins through the bridge (bridge saw: ${seen.join(", ")})`);
    await expectOk(a.sendTextMessage(roomId, "hello bridge"), "send to the bridged room");
    const answer = await eventually(async () => {
      const { chunk } = await a.createMessagesRequest(roomId, null, 20, "b");
      return chunk.find((e) => e.sender === echo && e.content?.body === "echo: hello bridge");
    }, `the answer of ${echo} (bridge saw: ${seen.join(", ")})`);
    check(answer.type === "m.room.message", `answer: ${JSON.stringify(answer)}`);
    const bot = bridge.getBot();
    check(typeof bot.getUserId() === "string", "the bridge's bot");
    log(`${echo} answered in ${roomId}; the bridge saw ${seen.length} events`);
  } finally {
    await bridge.close?.();
  }
});
