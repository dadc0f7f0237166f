"""GET /relations and /threads read by a matrix-nio client. nio 0.20 has no relations API, so the
scenario sends the requests through nio's own aiohttp session (AsyncClient.send) with its access
token. a starts a thread (a root, three replies), edits the root, and b reacts twice and references
it: /relations of the root pages backwards two at a time through next_batch (prev_batch naming the
page's from) down to the first child, each child once, newest first; forwards gives them oldest
first; filtered by m.thread, and by m.annotation with m.reaction, it gives the replies and the
reactions; recurse gives recursion_depth. /threads lists the root with its thread summary. Every
field has the type the spec gives it (chunk a list of events, tokens strings)."""
import json
from urllib.parse import quote, urlencode

from nio import RoomGetEventResponse, RoomSendResponse

from common import ScenarioFailed, check, create_shared_room, expect, log, register_and_login, run


async def send(c, room_id, event_type, content, what):
    return (await expect(await c.room_send(room_id, event_type, content), RoomSendResponse, what)).event_id


async def get_v1(c, path, **query):
    """GET /_matrix/client/v1{path} through nio's session, authenticated as c; the JSON body."""
    url = "/_matrix/client/v1" + path + ("?" + urlencode(query) if query else "")
    resp = await c.send("GET", url, headers={"Authorization": f"Bearer {c.access_token}"})
    text = await resp.text()
    if resp.status != 200:
        raise ScenarioFailed(f"GET {url} -> HTTP {resp.status}: {text[:300]}")
    body = json.loads(text)
    check(isinstance(body, dict), f"GET {url}: not a JSON object: {text[:300]}")
    return body


def check_page(page, what):
    """The types /relations and /threads give: chunk a list of events, tokens strings when present."""
    check(isinstance(page.get("chunk"), list), f"{what}: chunk is {page.get('chunk')!r}")
    for event in page["chunk"]:
        check(isinstance(event, dict) and isinstance(event.get("event_id"), str) and isinstance(event.get("type"), str)
              and isinstance(event.get("sender"), str) and isinstance(event.get("origin_server_ts"), int)
              and isinstance(event.get("content"), dict), f"{what}: a chunk entry is not a client event: {event}")
    for token in ("next_batch", "prev_batch"):
        check(token not in page or isinstance(page[token], str), f"{what}: {token} is {page.get(token)!r}")


async def page_all(c, path, what, **query):
    """Every chunk entry's id following next_batch from the first page; checks each page."""
    ids, since, pages = [], None, 0
    while True:
        page = await get_v1(c, path, **query, **({"from": since} if since else {}))
        pages += 1
        check_page(page, f"{what}, page {pages}")
        if since is None:
            check("prev_batch" not in page, f"{what}: the first page has a prev_batch {page.get('prev_batch')!r}")
        else:
            check(page.get("prev_batch") == since, f"{what}: page {pages} has prev_batch {page.get('prev_batch')!r}, "
                                                   f"its from was {since!r}")
        ids += [e["event_id"] for e in page["chunk"]]
        since = page.get("next_batch")
        if not since:
            return ids, pages
        check(pages < 20, f"{what}: no end after 20 pages")


async def scenario():
    a = await register_and_login("nio-relations-a")
    b = await register_and_login("nio-relations-b")
    room_id = await create_shared_room(a, b)
    room = quote(room_id, safe="")

    root = await send(a, room_id, "m.room.message", {"msgtype": "m.text", "body": "root"}, "send the root")
    replies = []
    for n in range(3):
        replies.append(await send(a, room_id, "m.room.message", {
            "msgtype": "m.text", "body": f"reply {n}", "m.relates_to": {"rel_type": "m.thread", "event_id": root}},
            f"send thread reply {n}"))
    edit = await send(a, room_id, "m.room.message", {
        "msgtype": "m.text", "body": "* root, edited", "m.new_content": {"msgtype": "m.text", "body": "root, edited"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": root}}, "send the edit")
    reactions = [await send(b, room_id, "m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": root, "key": key}}, f"react {key}") for key in ("👍", "🎉")]
    reference = await send(b, room_id, "m.room.message", {
        "msgtype": "m.text", "body": "see above", "m.relates_to": {"rel_type": "m.reference", "event_id": root}},
        "send the reference")
    children = replies + [edit] + reactions + [reference]  # in the order sent

    path = f"/rooms/{room}/relations/{quote(root, safe='')}"
    backwards, pages = await page_all(b, path, "/relations backwards", limit=2)
    check(backwards == children[::-1], f"/relations backwards gave {backwards}, expected {children[::-1]}")
    check(pages == 4, f"/relations with limit 2 took {pages} pages for {len(children)} children")
    forwards, _ = await page_all(b, path, "/relations forwards", dir="f", limit=3)
    check(forwards == children, f"/relations forwards gave {forwards}, expected {children}")

    in_thread, _ = await page_all(b, path + "/m.thread", "/relations m.thread", limit=10)
    check(in_thread == replies[::-1], f"/relations m.thread gave {in_thread}, expected the replies newest first")
    annotations, _ = await page_all(b, path + "/m.annotation/m.reaction", "/relations m.annotation m.reaction")
    check(sorted(annotations) == sorted(reactions), f"/relations m.annotation gave {annotations}")
    recursed = await get_v1(b, path, recurse="true", limit=50)
    check_page(recursed, "/relations recurse=true")
    check(isinstance(recursed.get("recursion_depth"), int), f"recursion_depth is {recursed.get('recursion_depth')!r}")

    threads = await get_v1(b, f"/rooms/{room}/threads")
    check_page(threads, "/threads")
    listed = next((e for e in threads["chunk"] if e["event_id"] == root), None)
    check(listed is not None, f"/threads does not list the root: {threads}")
    summary = listed.get("unsigned", {}).get("m.relations", {}).get("m.thread", {})
    check(summary.get("count") == 3 and summary.get("latest_event", {}).get("event_id") == replies[-1]
          and summary.get("current_user_participated") is False,
          f"/threads gives the root the summary {summary}")

    fetched = await expect(await b.room_get_event(room_id, root), RoomGetEventResponse, "GET /event of the root")
    bundled = fetched.event.source.get("unsigned", {}).get("m.relations", {})
    check(bundled.get("m.replace", {}).get("event_id") == edit, f"/event of the root bundles {bundled}")
    log(f"/relations paged over {len(children)} children in {pages} pages; filters, recurse and /threads as expected")


run(scenario)
