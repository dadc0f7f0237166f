package org.myelin.server.client.profile;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.server.testing.PipelineRooms;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.PipelineRooms.content;

class ProfileIT {

    private static TestHomeserver hs;
    private static PipelineRooms rooms;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new PipelineRooms(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String path(String userId, String key) {
        String base = "/_matrix/client/v3/profile/" + URLEncoder.encode(userId, StandardCharsets.UTF_8);
        return key == null ? base : base + "/" + key;
    }

    private static HttpResponse<String> put(TestUser as, String userId, String key, String body) {
        return hs.authed(as.accessToken(), "PUT", path(userId, key), body);
    }

    private static void assertError(int status, String errcode, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(errcode, TestHomeserver.json(response).path("errcode").asText(), response.body());
    }

    @Test
    void aNewUserIsNamedAfterTheirLocalpart() {
        TestUser carol = hs.registerUser("carol");
        HttpResponse<String> all = hs.get(path(carol.userId(), null));
        assertEquals(200, all.statusCode(), all.body());
        assertEquals("{\"displayname\":\"carol\"}", all.body());
        assertEquals("carol", TestHomeserver.json(hs.get(path(carol.userId(), "displayname"))).path("displayname").asText());
        assertError(404, "M_NOT_FOUND", hs.get(path(carol.userId(), "avatar_url")));
    }

    @Test
    void usersSetTheirOwnDisplayNameAndAvatar() {
        TestUser dave = hs.registerUser("dave");
        assertEquals(200, put(dave, dave.userId(), "displayname", "{\"displayname\":\"Dave D.\"}").statusCode());
        assertEquals(200, put(dave, dave.userId(), "avatar_url", "{\"avatar_url\":\"mxc://example.org/abc\"}").statusCode());
        JsonNode profile = TestHomeserver.json(hs.get(path(dave.userId(), null)));
        assertEquals("Dave D.", profile.path("displayname").asText());
        assertEquals("mxc://example.org/abc", profile.path("avatar_url").asText());
        // An empty avatar removes it.
        assertEquals(200, put(dave, dave.userId(), "avatar_url", "{\"avatar_url\":\"\"}").statusCode());
        assertFalse(TestHomeserver.json(hs.get(path(dave.userId(), null))).has("avatar_url"));
    }

    @Test
    void badValuesAreRefused() {
        TestUser erin = hs.registerUser("erin");
        assertError(400, "M_INVALID_PARAM", put(erin, erin.userId(), "avatar_url", "{\"avatar_url\":\"https://x/y.png\"}"));
        assertError(400, "M_INVALID_PARAM", put(erin, erin.userId(), "displayname", "{\"displayname\":42}"));
        assertError(400, "M_INVALID_PARAM", put(erin, erin.userId(), "displayname",
                "{\"displayname\":\"" + "x".repeat(300) + "\"}"));
        assertError(400, "M_MISSING_PARAM", put(erin, erin.userId(), "displayname", "{\"avatar_url\":\"mxc://a/b\"}"));
        assertError(400, "M_NOT_JSON", put(erin, erin.userId(), "displayname", "nope"));
        assertError(400, "M_INVALID_PARAM", put(erin, erin.userId(), "Not-A-Key", "{\"Not-A-Key\":1}"));
        String longKey = "org.example." + "k".repeat(250);
        assertError(400, "M_KEY_TOO_LARGE", put(erin, erin.userId(), longKey, "{\"" + longKey + "\":1}"));
        assertError(400, "M_PROFILE_TOO_LARGE", put(erin, erin.userId(), "org.example.big",
                "{\"org.example.big\":\"" + "b".repeat(70_000) + "\"}"));
        assertEquals("erin", TestHomeserver.json(hs.get(path(erin.userId(), null))).path("displayname").asText());
    }

    @Test
    void onlyTheOwnerChangesAProfile() {
        TestUser frank = hs.registerUser("frank");
        TestUser grace = hs.registerUser("grace");
        assertError(403, "M_FORBIDDEN", put(grace, frank.userId(), "displayname", "{\"displayname\":\"pwned\"}"));
        assertError(403, "M_FORBIDDEN", put(grace, frank.userId(), "avatar_url", "{\"avatar_url\":\"mxc://a/b\"}"));
        assertError(403, "M_FORBIDDEN", hs.authed(grace.accessToken(), "DELETE", path(frank.userId(), "m.tz"), null));
        assertError(401, "M_MISSING_TOKEN", hs.request("PUT", path(frank.userId(), "displayname"), "{\"displayname\":\"x\"}"));
        assertEquals("frank", TestHomeserver.json(hs.get(path(frank.userId(), null))).path("displayname").asText());
    }

    @Test
    void unknownUsersAreNotFound() {
        String nobody = "@nobody:" + hs.serverName();
        assertError(404, "M_NOT_FOUND", hs.get(path(nobody, null)));
        assertError(404, "M_NOT_FOUND", hs.get(path(nobody, "displayname")));
        assertError(404, "M_NOT_FOUND", hs.get(path("@someone:remote.example", null)));
        assertError(400, "M_INVALID_PARAM", hs.get(path("not-a-user-id", null)));
    }

    @Test
    void otherFieldsAreSetReadAndDeleted() {
        TestUser heidi = hs.registerUser("heidi");
        assertEquals(200, put(heidi, heidi.userId(), "m.tz", "{\"m.tz\":\"Europe/London\"}").statusCode());
        assertEquals(200, put(heidi, heidi.userId(), "org.example.job", "{\"org.example.job\":{\"title\":\"cook\"}}").statusCode());
        assertError(400, "M_INVALID_PARAM", put(heidi, heidi.userId(), "m.tz", "{\"m.tz\":3}"));
        JsonNode profile = TestHomeserver.json(hs.get(path(heidi.userId(), null)));
        assertEquals("Europe/London", profile.path("m.tz").asText());
        assertEquals("cook", profile.at("/org.example.job/title").asText());
        assertEquals("{\"m.tz\":\"Europe/London\"}", hs.get(path(heidi.userId(), "m.tz")).body());
        assertEquals(200, hs.authed(heidi.accessToken(), "DELETE", path(heidi.userId(), "m.tz"), null).statusCode());
        assertError(404, "M_NOT_FOUND", hs.get(path(heidi.userId(), "m.tz")));
        assertEquals(200, hs.authed(heidi.accessToken(), "DELETE", path(heidi.userId(), "m.tz"), null).statusCode());
    }

    @Test
    void aDisplayNameChangeUpdatesTheMemberEventOfEveryJoinedRoom() {
        TestUser ivan = hs.registerUser("ivan");
        String first = rooms.create(ivan.userId(), "public");
        String second = rooms.create(ivan.userId(), "public");
        rooms.join(second, ivan.userId(), content().put("membership", "join").put("org.example.keep", "me"));
        String left = rooms.create(ivan.userId(), "public");
        TestUser judy = hs.registerUser("judy");
        rooms.join(left, judy.userId(), content().put("membership", "join"));
        rooms.leave(left, ivan.userId());
        Pdu leftBefore = rooms.currentState(left, "m.room.member", ivan.userId());

        assertEquals(200, put(ivan, ivan.userId(), "displayname", "{\"displayname\":\"Ivan the Great\"}").statusCode());
        assertEquals(200, put(ivan, ivan.userId(), "avatar_url", "{\"avatar_url\":\"mxc://example.org/ivan\"}").statusCode());

        for (String room : new String[] {first, second}) {
            Pdu member = rooms.currentState(room, "m.room.member", ivan.userId());
            assertEquals("join", member.membership(), room);
            assertEquals("Ivan the Great", member.content().path("displayname").asText(), room);
            assertEquals("mxc://example.org/ivan", member.content().path("avatar_url").asText(), room);
            assertEquals(ivan.userId(), member.sender());
        }
        assertEquals("me", rooms.currentState(second, "m.room.member", ivan.userId()).content()
                .path("org.example.keep").asText(), "other member content is kept");
        assertEquals(leftBefore.eventId(), rooms.currentState(left, "m.room.member", ivan.userId()).eventId(),
                "a room the user left gets no member event");

        // Removing the display name removes it from the member events too.
        assertEquals(200, hs.authed(ivan.accessToken(), "DELETE", path(ivan.userId(), "displayname"), null).statusCode());
        assertFalse(rooms.currentState(first, "m.room.member", ivan.userId()).content().has("displayname"));
        assertTrue(rooms.currentState(first, "m.room.member", ivan.userId()).content().has("avatar_url"));
    }

    @Test
    void theLookupForMemberEventsGivesTheGlobalProfile() {
        TestUser kim = hs.registerUser("kim");
        put(kim, kim.userId(), "avatar_url", "{\"avatar_url\":\"mxc://example.org/kim\"}");
        Profiles lookup = hs.homeserver().users().profiles;
        assertEquals(new Profile("kim", "mxc://example.org/kim"), lookup.lookup(kim.userId()).orElseThrow());
        assertEquals("{\"membership\":\"join\",\"displayname\":\"kim\",\"avatar_url\":\"mxc://example.org/kim\"}",
                lookup.lookup(kim.userId()).orElseThrow().addTo(content().put("membership", "join")).toString());
        assertTrue(lookup.lookup("@ghost:" + hs.serverName()).isEmpty());
    }

    @Test
    void deactivationErasesTheProfile() {
        TestUser leo = hs.registerUser("leo");
        var body = "{\"auth\":{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\""
                + leo.userId() + "\"},\"password\":\"" + leo.password() + "\"}}";
        HttpResponse<String> r = hs.authed(leo.accessToken(), "POST", "/_matrix/client/v3/account/deactivate", body);
        assertEquals(200, r.statusCode(), r.body());
        assertError(404, "M_NOT_FOUND", hs.get(path(leo.userId(), null)));
    }
}
