package org.myelin.server.client.push;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.push.PushActions;
import org.myelin.server.testing.PipelineRooms;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.PipelineRooms.content;

class PushRulesIT {

    private static final String RULES = "/_matrix/client/v3/pushrules/global/";

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static HttpResponse<String> call(TestUser u, String method, String path, String body) {
        return hs.authed(u.accessToken(), method, path, body);
    }

    private static String rule(String kind, String ruleId) {
        return RULES + kind + "/" + URLEncoder.encode(ruleId, StandardCharsets.UTF_8);
    }

    private static List<String> ids(TestUser u, String kind) {
        List<String> ids = new ArrayList<>();
        TestHomeserver.json(call(u, "GET", RULES, null)).path(kind).forEach(r -> ids.add(r.path("rule_id").asText()));
        return ids;
    }

    private static void assertOk(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
    }

    private static void assertError(int status, String errcode, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(errcode, TestHomeserver.json(response).path("errcode").asText(), response.body());
    }

    @Test
    void aNewUserHasTheDefaultRulesWithTheirIdPutIn() {
        TestUser alice = hs.registerUser("alice");
        JsonNode all = TestHomeserver.json(call(alice, "GET", "/_matrix/client/v3/pushrules/", null));
        JsonNode global = all.get("global");
        assertEquals(global, TestHomeserver.json(call(alice, "GET", RULES, null)));
        assertEquals(global, TestHomeserver.json(call(alice, "GET", "/_matrix/client/v3/pushrules/global", null)));
        assertEquals(List.of(".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me",
                ".m.rule.member_event", ".m.rule.is_user_mention", ".m.rule.contains_display_name",
                ".m.rule.is_room_mention", ".m.rule.roomnotif", ".m.rule.tombstone", ".m.rule.reaction",
                ".m.rule.room.server_acl", ".m.rule.suppress_edits"), ids(alice, "override"));
        assertEquals(List.of(".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one",
                ".m.rule.message", ".m.rule.encrypted"), ids(alice, "underride"));
        assertEquals(0, global.path("room").size());
        assertEquals(0, global.path("sender").size());
        assertEquals("alice", global.at("/content/0/pattern").asText());
        JsonNode invite = TestHomeserver.json(call(alice, "GET", rule("override", ".m.rule.invite_for_me"), null));
        assertEquals(alice.userId(), invite.at("/conditions/2/pattern").asText());
        assertTrue(invite.path("default").asBoolean());
        assertTrue(invite.path("enabled").asBoolean());
    }

    @Test
    void rulesAreCreatedReadOrderedAndDeleted() {
        TestUser bob = hs.registerUser("bob");
        // The spec's examples ("Push Rules: Events" > "Examples").
        assertOk(call(bob, "PUT", rule("content", "SSByZWFsbHkgbGlrZSBjYWtl"),
                "{\"pattern\":\"cake\",\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"cakealarm.wav\"}]}"));
        assertOk(call(bob, "PUT", rule("content", "U3BvbmdlIGNha2UgaXMgYmVzdA") + "?before=SSByZWFsbHkgbGlrZSBjYWtl",
                "{\"pattern\":\"cake*lie\",\"actions\":[\"notify\"]}"));
        assertOk(call(bob, "PUT", rule("room", "!dj234r78wl45Gh4D:matrix.org"), "{\"actions\":[]}"));
        assertOk(call(bob, "PUT", rule("sender", "@spambot:matrix.org"), "{\"actions\":[]}"));
        assertOk(call(bob, "PUT", rule("override", "U2VlIHlvdSBpbiBUaGUgRHVrZQ"),
                "{\"conditions\":[{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"beer\"},"
                        + "{\"kind\":\"room_member_count\",\"is\":\"<=10\"}],"
                        + "\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"beeroclock.wav\"}]}"));

        assertEquals(List.of("U3BvbmdlIGNha2UgaXMgYmVzdA", "SSByZWFsbHkgbGlrZSBjYWtl", ".m.rule.contains_user_name"),
                ids(bob, "content"));
        assertEquals(List.of(".m.rule.master", "U2VlIHlvdSBpbiBUaGUgRHVrZQ", ".m.rule.suppress_notices"),
                ids(bob, "override").subList(0, 3));
        assertEquals(List.of("!dj234r78wl45Gh4D:matrix.org"), ids(bob, "room"));
        assertEquals(List.of("@spambot:matrix.org"), ids(bob, "sender"));

        JsonNode cake = TestHomeserver.json(call(bob, "GET", rule("content", "SSByZWFsbHkgbGlrZSBjYWtl"), null));
        assertEquals("{\"rule_id\":\"SSByZWFsbHkgbGlrZSBjYWtl\",\"default\":false,\"enabled\":true,\"pattern\":\"cake\","
                + "\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"cakealarm.wav\"}]}", cake.toString());
        JsonNode room = TestHomeserver.json(call(bob, "GET", rule("room", "!dj234r78wl45Gh4D:matrix.org"), null));
        assertEquals("{\"rule_id\":\"!dj234r78wl45Gh4D:matrix.org\",\"default\":false,\"enabled\":true,\"actions\":[]}",
                room.toString());

        // after= places it next-less important; with both, before wins.
        assertOk(call(bob, "PUT", rule("content", "c3") + "?after=U3BvbmdlIGNha2UgaXMgYmVzdA",
                "{\"pattern\":\"x\",\"actions\":[]}"));
        assertOk(call(bob, "PUT", rule("content", "c4") + "?after=c3&before=U3BvbmdlIGNha2UgaXMgYmVzdA",
                "{\"pattern\":\"y\",\"actions\":[]}"));
        assertEquals(List.of("c4", "U3BvbmdlIGNha2UgaXMgYmVzdA", "c3", "SSByZWFsbHkgbGlrZSBjYWtl",
                ".m.rule.contains_user_name"), ids(bob, "content"));
        // Replacing keeps the place; a new pattern is taken.
        assertOk(call(bob, "PUT", rule("content", "c3"), "{\"pattern\":\"z\",\"actions\":[\"notify\"]}"));
        assertEquals("c3", ids(bob, "content").get(2));
        assertEquals("z", TestHomeserver.json(call(bob, "GET", rule("content", "c3"), null)).path("pattern").asText());

        assertOk(call(bob, "DELETE", rule("content", "c3"), null));
        assertError(404, "M_NOT_FOUND", call(bob, "GET", rule("content", "c3"), null));
        assertError(404, "M_NOT_FOUND", call(bob, "DELETE", rule("content", "c3"), null));
        assertEquals(List.of("c4", "U3BvbmdlIGNha2UgaXMgYmVzdA", "SSByZWFsbHkgbGlrZSBjYWtl",
                ".m.rule.contains_user_name"), ids(bob, "content"));
    }

    @Test
    void badRulesAreRefused() {
        TestUser carol = hs.registerUser("carol");
        assertError(400, "M_UNKNOWN", call(carol, "PUT", rule("content", "a") + "?before=nope",
                "{\"pattern\":\"a\",\"actions\":[]}"));
        assertError(400, "M_UNKNOWN", call(carol, "PUT", rule("override", "a") + "?after=.m.rule.master",
                "{\"actions\":[]}"));
        assertError(400, "M_INVALID_PARAM", call(carol, "PUT", rule("override", ".m.rule.mine"), "{\"actions\":[]}"));
        assertError(400, "M_INVALID_PARAM", call(carol, "PUT", rule("override", "a\\b"), "{\"actions\":[]}"));
        assertError(400, "M_INVALID_PARAM", call(carol, "PUT", rule("nonsense", "a"), "{\"actions\":[]}"));
        assertError(400, "M_INVALID_PARAM", call(carol, "GET", rule("nonsense", "a"), null));
        assertError(400, "M_MISSING_PARAM", call(carol, "PUT", rule("override", "a"), "{}"));
        assertError(400, "M_MISSING_PARAM", call(carol, "PUT", rule("content", "a"), "{\"actions\":[]}"));
        assertError(400, "M_INVALID_PARAM", call(carol, "PUT", rule("override", "a"), "{\"actions\":[\"explode\"]}"));
        assertError(400, "M_INVALID_PARAM", call(carol, "PUT", rule("override", "a"),
                "{\"actions\":[],\"conditions\":[{\"key\":\"type\"}]}"));
        assertError(400, "M_NOT_JSON", call(carol, "PUT", rule("override", "a"), "actions"));
        String tooLong = "*a".repeat(513); // more characters than a glob may have
        assertError(400, "M_INVALID_PARAM", call(carol, "PUT", rule("content", "a"),
                "{\"pattern\":\"" + tooLong + "\",\"actions\":[]}"));
        assertError(400, "M_INVALID_PARAM", call(carol, "PUT", rule("override", "a"), "{\"actions\":[],"
                + "\"conditions\":[{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"" + tooLong + "\"}]}"));
        assertOk(call(carol, "PUT", rule("content", "b"),
                "{\"pattern\":\"" + tooLong.substring(2) + "\",\"actions\":[]}"));
        assertOk(call(carol, "DELETE", rule("content", "b"), null));
        assertError(401, "M_MISSING_TOKEN", hs.get(RULES));
        assertEquals(1, ids(carol, "content").size(), "nothing was added");
    }

    @Test
    void defaultRulesCanBeDisabledAndGivenOtherActionsButNotDeleted() {
        TestUser dave = hs.registerUser("dave");
        String master = rule("override", ".m.rule.master");
        assertEquals("{\"enabled\":false}", call(dave, "GET", master + "/enabled", null).body());
        assertOk(call(dave, "PUT", master + "/enabled", "{\"enabled\":true}"));
        assertEquals("{\"enabled\":true}", call(dave, "GET", master + "/enabled", null).body());
        assertTrue(TestHomeserver.json(call(dave, "GET", RULES, null)).at("/override/0/enabled").asBoolean());

        String message = rule("underride", ".m.rule.message");
        assertEquals("{\"actions\":[\"notify\"]}", call(dave, "GET", message + "/actions", null).body());
        assertOk(call(dave, "PUT", message + "/actions", "{\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"bing\"}]}"));
        assertOk(call(dave, "PUT", message + "/enabled", "{\"enabled\":false}"));
        JsonNode changed = TestHomeserver.json(call(dave, "GET", message, null));
        assertEquals("[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"bing\"}]", changed.path("actions").toString());
        assertFalse(changed.path("enabled").asBoolean());
        assertTrue(changed.path("default").asBoolean());

        assertError(404, "M_NOT_FOUND", call(dave, "DELETE", message, null));
        assertError(404, "M_NOT_FOUND", call(dave, "GET", rule("underride", ".m.rule.nonexistent"), null));
        assertError(404, "M_NOT_FOUND", call(dave, "PUT", rule("underride", ".m.rule.nonexistent") + "/enabled",
                "{\"enabled\":true}"));
        assertError(404, "M_NOT_FOUND", call(dave, "PUT", rule("override", ".m.rule.message") + "/enabled",
                "{\"enabled\":true}"));
        assertError(404, "M_NOT_FOUND", call(dave, "PUT", rule("override", "missing") + "/actions", "{\"actions\":[]}"));
        assertError(400, "M_MISSING_PARAM", call(dave, "PUT", message + "/enabled", "{}"));
        assertError(400, "M_BAD_JSON", call(dave, "PUT", message + "/enabled", "{\"enabled\":\"yes\"}"));

        // Another user's defaults are untouched.
        TestUser erin = hs.registerUser("erin");
        assertEquals("{\"enabled\":false}", call(erin, "GET", master + "/enabled", null).body());
    }

    @Test
    void userRulesCanBeDisabledAndTheirActionsChanged() {
        TestUser frank = hs.registerUser("frank");
        String r = rule("sender", "@spambot:matrix.org");
        assertOk(call(frank, "PUT", r, "{\"actions\":[\"dont_notify\"]}"));
        assertEquals("{\"actions\":[]}", call(frank, "GET", r + "/actions", null).body());
        assertOk(call(frank, "PUT", r + "/enabled", "{\"enabled\":false}"));
        assertOk(call(frank, "PUT", r + "/actions", "{\"actions\":[\"notify\"]}"));
        assertEquals("{\"enabled\":false}", call(frank, "GET", r + "/enabled", null).body());
        assertOk(call(frank, "PUT", r, "{\"actions\":[]}"));
        assertEquals("{\"enabled\":false}", call(frank, "GET", r + "/enabled", null).body(),
                "replacing a rule keeps whether it is enabled");
    }

    @Test
    void changesMoveTheStreamAndShowInAccountData() {
        TestUser gina = hs.registerUser("gina");
        PushRules rules = hs.homeserver().users().pushRules;
        long before = rules.position();
        assertFalse(rules.changedSince(gina.userId(), before));
        assertOk(call(gina, "PUT", rule("override", ".m.rule.suppress_notices") + "/enabled", "{\"enabled\":false}"));
        assertTrue(rules.position() > before);
        assertTrue(rules.changedSince(gina.userId(), before));
        assertFalse(rules.accountDataContent(gina.userId()).at("/global/override/1/enabled").asBoolean(true));
    }

    /** The room facts kept between messages follow the room's state: display names and members. */
    @Test
    void aRoomsFactsFollowItsStateFromMessageToMessage() {
        TestUser jo = hs.registerUser("jo");
        TestUser kai = hs.registerUser("kai");
        TestUser lu = hs.registerUser("lu");
        PipelineRooms rooms = new PipelineRooms(hs);
        String room = rooms.create(jo.userId(), "public");
        rooms.join(room, kai.userId(), content().put("membership", "join").put("displayname", "Ada"));
        PushEvaluation push = hs.homeserver().users().push;

        Pdu first = rooms.send(room, jo.userId(), "m.room.message", content().put("msgtype", "m.text").put("body", "ada?"));
        assertTrue(push.evaluate(kai.userId(), first).highlights());
        Pdu second = rooms.send(room, jo.userId(), "m.room.message", content().put("msgtype", "m.text").put("body", "hi"));
        assertEquals(".m.rule.room_one_to_one", push.evaluate(kai.userId(), second).ruleId());

        rooms.join(room, kai.userId(), content().put("membership", "join").put("displayname", "Grace"));
        Pdu oldName = rooms.send(room, jo.userId(), "m.room.message", content().put("msgtype", "m.text").put("body", "ada?"));
        assertFalse(push.evaluate(kai.userId(), oldName).highlights(), "no longer kai's name");
        Pdu newName = rooms.send(room, jo.userId(), "m.room.message",
                content().put("msgtype", "m.text").put("body", "grace?"));
        assertTrue(push.evaluate(kai.userId(), newName).highlights(), "the name kai took");

        rooms.join(room, lu.userId(), content().put("membership", "join"));
        Pdu third = rooms.send(room, jo.userId(), "m.room.message", content().put("msgtype", "m.text").put("body", "hi"));
        assertEquals(".m.rule.message", push.evaluate(kai.userId(), third).ruleId(), "three members: not one to one");
    }

    @Test
    void eventsInRoomsAreEvaluatedAgainstEachMembersRules() {
        TestUser hal = hs.registerUser("hal");
        TestUser ida = hs.registerUser("ida");
        PipelineRooms rooms = new PipelineRooms(hs);
        String room = rooms.create(hal.userId(), "public");
        rooms.join(room, ida.userId(), content().put("membership", "join").put("displayname", "Ida Lovelace"));
        PushEvaluation push = hs.homeserver().users().push;

        Pdu hello = rooms.send(room, hal.userId(), "m.room.message", content().put("msgtype", "m.text").put("body", "hi"));
        PushActions forIda = push.evaluate(ida.userId(), hello);
        assertEquals(".m.rule.room_one_to_one", forIda.ruleId());
        assertTrue(forIda.notifies());
        assertFalse(forIda.highlights());
        assertEquals(PushActions.NONE, push.evaluate(hal.userId(), hello), "not for the sender");

        Pdu byName = rooms.send(room, hal.userId(), "m.room.message", content().put("body", "ida lovelace, lunch?"));
        assertTrue(push.evaluate(ida.userId(), byName).highlights());

        var mentions = content().put("body", "everyone!");
        mentions.putObject("m.mentions").put("room", true);
        Pdu atRoom = rooms.send(room, hal.userId(), "m.room.message", mentions);
        assertEquals(".m.rule.is_room_mention", push.evaluate(ida.userId(), atRoom).ruleId(), "the creator may @room");
        Pdu fromIda = rooms.send(room, ida.userId(), "m.room.message", mentions);
        assertEquals(".m.rule.room_one_to_one", push.evaluate(hal.userId(), fromIda).ruleId(), "ida may not @room");

        assertOk(call(ida, "PUT", rule("room", room), "{\"actions\":[]}"));
        assertFalse(push.evaluate(ida.userId(), hello).notifies(), "a room rule mutes the room");
        boolean[] flags = push.notifyAndHighlight(ida.userId(), hello, push.roomFacts(room));
        assertFalse(flags[0] || flags[1]);
        assertTrue(push.evaluate(ida.userId(), byName).highlights(), "override rules outrank room rules");
    }
}
