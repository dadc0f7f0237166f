"""Admin API with synadm (Debian's synadm, Synapse's admin CLI): an admin registered through
shared-secret registration (the interop servers' registration.shared_secret) drives Myelin with
`synadm -c <config>`: version, user list, user modify (create, then change), user details, user
login, room list, room details, room members, room delete (the members moved out, the room gone),
user deactivate. A nio user makes the room and sees the effects."""
import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import urllib.request

from nio import RoomCreateResponse

from common import BASE_URL, PASSWORD, check, expect, log, register_and_login, run, unique

SHARED_SECRET = os.environ.get("MYELIN_SHARED_SECRET", "interop-shared-secret")


def http(method, path, body=None, token=None):
    request = urllib.request.Request(BASE_URL + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def register_admin():
    """What Synapse's register_new_matrix_user does: a nonce, then the account with its HMAC."""
    name = unique("synadm-admin")
    nonce = http("GET", "/_synapse/admin/v1/register")["nonce"]
    mac = hmac.new(SHARED_SECRET.encode(), b"\0".join([nonce.encode(), name.encode(), PASSWORD.encode(), b"admin"]),
                   hashlib.sha1).hexdigest()
    answer = http("POST", "/_synapse/admin/v1/register", {"nonce": nonce, "username": name, "password": PASSWORD,
                                                          "admin": True, "mac": mac})
    return name, answer["access_token"]


class Synadm:
    def __init__(self, localpart, token, server_name):
        self.config = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        json.dump({"user": localpart, "token": token, "base_url": BASE_URL, "admin_path": "/_synapse/admin",
                   "matrix_path": "/_matrix", "timeout": 30, "server_discovery": "well-known",
                   "homeserver": server_name, "format": "json", "ssl_verify": True}, self.config)
        self.config.close()

    def run(self, *args, refusals=0):
        """Runs synadm in batch mode with JSON output; its standard output. {refusals} answers may be
        errors (synadm's `user modify` shows the user first, which is 404 for a user it creates)."""
        done = subprocess.run(["synadm", "-c", self.config.name, "--batch", "-o", "json", *args],
                              capture_output=True, text=True, timeout=60)
        check(done.returncode == 0, f"synadm {' '.join(args)} exited {done.returncode}: {done.stdout} {done.stderr}")
        check(done.stderr.count("returned status code") <= refusals,
              f"synadm {' '.join(args)}: the server refused: {done.stderr.strip()}")
        return done.stdout

    def json(self, *args):
        """The JSON synadm printed last (some commands print what they show first, then the answer)."""
        out = self.run(*args)
        decoder = json.JSONDecoder()
        found, i = None, 0
        while i < len(out):
            start = out.find("{", i)
            if start < 0:
                break
            try:
                found, end = decoder.raw_decode(out, start)
                i = end
            except ValueError:
                i = start + 1
        check(found is not None, f"synadm {' '.join(args)} printed no JSON: {out}")
        return found

    def close(self):
        os.unlink(self.config.name)


async def scenario():
    admin_name, admin_token = register_admin()
    server_name = http("GET", "/_matrix/client/v3/account/whoami", token=admin_token)["user_id"].split(":", 1)[1]
    synadm = Synadm(admin_name, admin_token, server_name)
    try:
        version = synadm.json("version")
        check(version.get("server_version"), f"synadm version: {version}")

        # A user made through the admin API, then changed.
        name = unique("synadm-made")
        mxid = f"@{name}:{server_name}"
        synadm.run("user", "modify", name, "--password", PASSWORD, "--display-name", "Made By Synadm", refusals=1)
        details = synadm.json("user", "details", mxid)
        check(details.get("name") == mxid and details.get("displayname") == "Made By Synadm",
              f"user details after modify: {details}")
        synadm.run("user", "modify", name, "--display-name", "Renamed")
        check(synadm.json("user", "details", mxid).get("displayname") == "Renamed", "the display name did not change")
        listed = synadm.json("user", "list", "--name", name)
        check([u["name"] for u in listed.get("users", [])] == [mxid], f"user list --name {name}: {listed}")
        token = synadm.json("user", "login", mxid).get("access_token")
        check(http("GET", "/_matrix/client/v3/account/whoami", token=token)["user_id"] == mxid,
              "the token of user login is not the user's")

        # A room made by a nio user, found, described and deleted by synadm.
        owner = await register_and_login("synadm-owner")
        title = unique("synadm room")
        room = await expect(await owner.room_create(name=title), RoomCreateResponse, "createRoom")
        rooms = synadm.json("room", "list", "--name", title)
        check([r["room_id"] for r in rooms.get("rooms", [])] == [room.room_id], f"room list --name: {rooms}")
        check(synadm.json("room", "details", room.room_id).get("name") == title, "room details: wrong name")
        members = synadm.json("room", "members", room.room_id)
        check(members.get("members") == [owner.user_id], f"room members: {members}")
        deleted = synadm.json("room", "delete", room.room_id, "--block")
        check(deleted.get("kicked_users") == [owner.user_id], f"room delete: {deleted}")
        joined = http("GET", "/_matrix/client/v3/joined_rooms", token=owner.access_token)["joined_rooms"]
        check(room.room_id not in joined, f"{owner.user_id} is still in the deleted room: {joined}")
        gone = subprocess.run(["synadm", "-c", synadm.config.name, "--batch", "-o", "json", "room", "details",
                               room.room_id], capture_output=True, text=True, timeout=60)
        check("404" in gone.stderr or "M_NOT_FOUND" in gone.stdout,
              f"the purged room is still described: {gone.stdout} {gone.stderr}")

        # Deactivation, erased.
        answer = synadm.json("user", "deactivate", mxid, "--gdpr-erase")
        check(answer.get("id_server_unbind_result") is not None, f"user deactivate: {answer}")
        details = synadm.json("user", "details", mxid)
        check(details.get("deactivated") is True and details.get("erased") is True,
              f"user details after deactivate: {details}")
        log(f"synadm managed {mxid} and deleted {room.room_id} as {admin_name}")
    finally:
        synadm.close()


run(scenario)
