"""Response schemas: each matrix-nio API method whose endpoint Myelin serves is called, and nio
must read the reply as its success type. nio checks a reply against its JSON schema
(nio/schemas.py) and turns one that does not fit into an ErrorResponse without an errcode
("unknown error"), so a missing required field (a device's display_name, last_seen_ip,
last_seen_ts; a joined member's display_name; ...) or an extra one in a reply that must be {}
fails here. Endpoints Myelin does not serve must answer a Matrix error nio can read.
"""
from nio import (DeleteDevicesAuthResponse, DiscoveryInfoResponse, DeleteDevicesResponse, DeletePushRuleResponse, DevicesResponse,
                 EnablePushRuleResponse, ErrorResponse, GetOpenIDTokenResponse, JoinedMembersResponse, JoinedRoomsResponse, JoinResponse,
                 LoginInfoResponse, LoginResponse, LogoutResponse, PresenceGetResponse, PresenceSetResponse,
                 ProfileGetAvatarResponse, ProfileGetDisplayNameResponse, ProfileGetResponse,
                 ProfileSetAvatarResponse, ProfileSetDisplayNameResponse, PushRuleKind, RoomBanResponse,
                 RoomContextResponse, RoomCreateResponse, RoomDeleteAliasResponse, RoomForgetResponse,
                 RoomGetEventResponse, RoomGetStateEventResponse, RoomGetStateResponse, RoomGetVisibilityResponse,
                 RoomInviteResponse, RoomKickResponse, RoomLeaveResponse, RoomMessagesResponse, RoomPutAliasResponse,
                 RoomPutStateResponse, RoomReadMarkersResponse, RoomRedactResponse, RoomResolveAliasResponse,
                 RoomSendResponse, RoomTypingResponse, RoomUnbanResponse,
                 SetPushRuleActionsResponse, SetPushRuleResponse, SyncResponse, ToDeviceMessage, ToDeviceResponse,
                 UpdateDeviceResponse, UpdateReceiptMarkerResponse, UploadFilterResponse, UploadResponse)
from nio.responses import RoomUpdateAliasResponse, WhoamiResponse  # not exported by nio 0.20

from common import PASSWORD, check, client, describe, expect, log, register_and_login, run, ScenarioFailed, unique


async def ok(resp, cls, what):
    """expect(), saying when the reply was a success nio's schema refused."""
    return await expect(resp, cls, what)


async def ok_or_error(resp, cls, errcode, what):
    """A success nio reads, or the Matrix error the spec gives (404 for a profile field not set)."""
    if isinstance(resp, ErrorResponse) and resp.status_code == errcode:
        return resp
    return await expect(resp, cls, what)


async def matrix_error(resp, what):
    """For an endpoint Myelin does not serve: an error nio reads (with an errcode), not an unreadable reply."""
    if not (isinstance(resp, ErrorResponse) and resp.status_code):
        raise ScenarioFailed(f"{what}: expected a Matrix error, got {await describe(resp)}")


async def accounts(a):
    await ok(await client().login_info(), LoginInfoResponse, "GET /login")
    await ok_or_error(await client().discovery_info(), DiscoveryInfoResponse, "M_NOT_FOUND",
                      "GET /.well-known/matrix/client")
    await ok(await a.whoami(), WhoamiResponse, "whoami")
    # A device logged in without a display name, and never seen since: every field still there, as null.
    bare = client(a.user_id)
    await ok(await bare.login(PASSWORD), LoginResponse, "login without a device name")
    devices = await ok(await a.devices(), DevicesResponse, "GET /devices")
    check(any(d.id == bare.device_id for d in devices.devices), "the new device is listed")
    await ok(await a.update_device(bare.device_id, {"display_name": "renamed"}), UpdateDeviceResponse,
             "PUT /devices/{id}")
    auth = await ok(await a.delete_devices([bare.device_id]), DeleteDevicesAuthResponse,
                    "POST /delete_devices without auth (UIA)")
    await ok(await a.delete_devices([bare.device_id], {
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": a.user_id},
        "password": PASSWORD, "session": auth.session}), DeleteDevicesResponse, "POST /delete_devices")


async def profile_and_presence(a, b):
    await ok(await a.get_profile(b.user_id), ProfileGetResponse, "GET /profile of another")
    await ok(await a.get_displayname(b.user_id), ProfileGetDisplayNameResponse, "GET displayname")
    await ok_or_error(await a.get_avatar(b.user_id), ProfileGetAvatarResponse, "M_NOT_FOUND", "GET avatar_url, none set")
    await ok(await a.set_displayname("Alice"), ProfileSetDisplayNameResponse, "PUT displayname")
    await ok(await a.set_avatar("mxc://example.org/abc"), ProfileSetAvatarResponse, "PUT avatar_url")
    await ok(await a.get_profile(a.user_id), ProfileGetResponse, "GET /profile")
    await ok(await a.get_avatar(a.user_id), ProfileGetAvatarResponse, "GET avatar_url")
    await ok(await a.set_presence("online", "here"), PresenceSetResponse, "PUT presence")
    await ok(await a.get_presence(a.user_id), PresenceGetResponse, "GET presence")
    await ok(await a.upload_filter(room={"timeline": {"limit": 10}}), UploadFilterResponse, "POST filter")


async def rooms(a, b):
    alias_name = unique("schemas")
    created = await ok(await a.room_create(name="schemas", topic="t", alias=alias_name), RoomCreateResponse,
                       "createRoom")
    room_id = created.room_id
    server = a.user_id.split(":", 1)[1]
    alias = f"#{alias_name}:{server}"
    await ok(await a.joined_rooms(), JoinedRoomsResponse, "joined_rooms")
    await ok(await a.room_invite(room_id, b.user_id), RoomInviteResponse, "invite")
    await ok(await b.join(room_id), JoinResponse, "join")
    await ok(await a.joined_members(room_id), JoinedMembersResponse, "joined_members")
    # b drops its display name: its member event has none, and nio wants the key all the same.
    await ok(await b.set_displayname(""), ProfileSetDisplayNameResponse, "PUT displayname to nothing")
    await ok(await a.joined_members(room_id), JoinedMembersResponse, "joined_members, one without a display name")
    await ok(await a.get_presence(b.user_id), PresenceGetResponse, "GET presence of one who never synced")
    sent = await ok(await a.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "hi"}),
                    RoomSendResponse, "send")
    await ok(await a.room_get_event(room_id, sent.event_id), RoomGetEventResponse, "GET /event")
    await ok(await a.room_put_state(room_id, "org.example.state", {"x": 1}, "k"), RoomPutStateResponse, "PUT state")
    await ok(await a.update_room_topic(room_id, "new topic"), RoomPutStateResponse, "PUT topic")
    await ok(await a.room_get_state(room_id), RoomGetStateResponse, "GET /state")
    await ok(await a.room_get_state_event(room_id, "m.room.name"), RoomGetStateEventResponse, "GET /state/m.room.name")
    await ok(await a.room_context(room_id, sent.event_id, limit=5), RoomContextResponse, "GET /context")
    start = (await ok(await a.sync(timeout=0), SyncResponse, "sync")).next_batch
    await ok(await a.room_messages(room_id, start, limit=5), RoomMessagesResponse, "GET /messages")
    history = await ok(await a.room_messages(room_id, start, limit=1000), RoomMessagesResponse,
                       "GET /messages to the start")
    # /context needs start and end even at the ends of the room: around its first and its last event.
    await ok(await a.room_context(room_id, history.chunk[-1].event_id, limit=5), RoomContextResponse,
             "GET /context of the create event")
    await ok(await a.room_context(room_id, history.chunk[0].event_id, limit=5), RoomContextResponse,
             "GET /context of the newest event")
    await ok(await a.room_typing(room_id, True, 1000), RoomTypingResponse, "PUT typing")
    await ok(await a.update_receipt_marker(room_id, sent.event_id), UpdateReceiptMarkerResponse, "POST receipt")
    await ok(await a.room_read_markers(room_id, sent.event_id, sent.event_id), RoomReadMarkersResponse,
             "POST read_markers")
    await ok(await a.room_redact(room_id, sent.event_id, reason="schemas"), RoomRedactResponse, "redact")
    await ok(await a.room_resolve_alias(alias), RoomResolveAliasResponse, "GET /directory/room")
    await ok(await a.room_get_visibility(room_id), RoomGetVisibilityResponse, "GET /directory/list/room")
    other = f"#{unique('other')}:{server}"
    await ok(await a.room_put_alias(other, room_id), RoomPutAliasResponse, "PUT /directory/room")
    await ok(await a.room_delete_alias(other), RoomDeleteAliasResponse, "DELETE /directory/room")
    await ok(await a.room_update_aliases(room_id, alias, []), RoomUpdateAliasResponse, "canonical alias")
    await ok(await a.room_kick(room_id, b.user_id, reason="schemas"), RoomKickResponse, "kick")
    await ok(await a.room_ban(room_id, b.user_id, reason="schemas"), RoomBanResponse, "ban")
    await ok(await a.room_unban(room_id, b.user_id), RoomUnbanResponse, "unban")
    await ok(await a.room_leave(room_id), RoomLeaveResponse, "leave")
    await ok(await a.room_forget(room_id), RoomForgetResponse, "forget")


async def push_rules(a):
    rule = unique("rule")
    await ok(await a.set_pushrule("global", PushRuleKind.content, rule, actions=[], pattern="cake"),
             SetPushRuleResponse, "PUT pushrule")
    await ok(await a.enable_pushrule("global", PushRuleKind.content, rule, False), EnablePushRuleResponse,
             "PUT pushrule enabled")
    await ok(await a.set_pushrule_actions("global", PushRuleKind.content, rule, []), SetPushRuleActionsResponse,
             "PUT pushrule actions")
    await ok(await a.delete_pushrule("global", PushRuleKind.content, rule), DeletePushRuleResponse,
             "DELETE pushrule")


async def to_device(a):
    await ok(await a.to_device(ToDeviceMessage("org.example.ping", a.user_id, "*", {})), ToDeviceResponse,
             "PUT sendToDevice")


async def media(a):
    """nio 0.20 uploads through /_matrix/media/r0/upload and downloads through the legacy
    /_matrix/media/r0/download, which serves only media from before authenticated media was
    enabled (on by default, as in Synapse): new media there is a 404 nio reads as an error."""
    # (GET /media/config is not checked: nio's schema for it requires nothing, so it reads any error as a success.)
    upload, _ = await a.upload(lambda *_: b"hello", "text/plain", "hello.txt", filesize=5)
    uploaded = await ok(upload, UploadResponse, "POST media upload")
    check(uploaded.content_uri.startswith("mxc://"), "the upload answers an mxc:// URI")
    legacy = await a.download(uploaded.content_uri)
    await matrix_error(legacy, "GET legacy media download of new media")
    check(legacy.status_code == "M_NOT_FOUND", f"legacy download of new media is M_NOT_FOUND, not {legacy.status_code}")


async def openid(a):
    """An OpenID token for a third party: nio reads it as its GetOpenIDTokenResponse."""
    token = await ok(await a.get_openid_token(a.user_id), GetOpenIDTokenResponse, "POST openid request_token")
    check(token.token_type == "Bearer", f"token_type Bearer, not {token.token_type}")
    check(token.expires_in == 3600, f"expires_in 3600, not {token.expires_in}")
    check(token.matrix_server_name == a.user_id.split(":", 1)[1],
          f"matrix_server_name is the user's server, not {token.matrix_server_name}")


async def scenario():
    a = await register_and_login("nio-schema-a")
    b = await register_and_login("nio-schema-b")
    await accounts(a)
    await profile_and_presence(a, b)
    await rooms(a, b)
    await push_rules(a)
    await to_device(a)
    await media(a)
    await openid(a)
    await ok(await a.logout(), LogoutResponse, "logout")
    log("every reply fits nio's schemas")


run(scenario)
