// Accounts: register two users through user-interactive auth (401 flows, then m.login.dummy),
// log in with password, whoami, and a wrong password is refused with M_FORBIDDEN.
import { PASSWORD, check, client, expectError, expectOk, log, registerAndLogin, run } from "./common.mjs";

run(async () => {
  const a = await registerAndLogin("js-acc-a");
  const b = await registerAndLogin("js-acc-b");
  check(a.getUserId() !== b.getUserId(), "two registrations gave the same user id");
  for (const c of [a, b]) {
    const who = await expectOk(c.whoami(), `whoami of ${c.getUserId()}`);
    check(who.user_id === c.getUserId(), `whoami says ${who.user_id}, login said ${c.getUserId()}`);
  }
  const localpart = a.getUserId().slice(1).split(":")[0];
  await expectError(client().loginRequest({
    type: "m.login.password", identifier: { type: "m.id.user", user: localpart }, password: PASSWORD + "x",
  }), "M_FORBIDDEN", "login with a wrong password");
  log(`registered and logged in ${a.getUserId()} and ${b.getUserId()}`);
});
