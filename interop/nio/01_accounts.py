"""Accounts: register two users (nio `register`, m.login.dummy), log in with password, whoami,
and a wrong password is refused with M_FORBIDDEN."""
from nio.responses import WhoamiResponse

from common import PASSWORD, check, client, expect, expect_error, log, register_and_login, run


async def scenario():
    a = await register_and_login("nio-acc-a")
    b = await register_and_login("nio-acc-b")
    check(a.user_id != b.user_id, "two registrations gave the same user id")
    for c in (a, b):
        who = await expect(await c.whoami(), WhoamiResponse, f"whoami of {c.user_id}")
        check(who.user_id == c.user_id, f"whoami says {who.user_id}, login said {c.user_id}")
    localpart = a.user_id[1:].split(":")[0]
    await expect_error(await client(localpart).login(PASSWORD + "x"), "M_FORBIDDEN", "login with a wrong password")
    log(f"registered and logged in {a.user_id} and {b.user_id}")


run(scenario)
