package org.myelin.server.client.directory;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.PipelineRooms;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.testing.TestHomeserver.enc;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /user_directory/search}: a user finds those who share a room with them and the
 * members of public rooms (anyone may join or read them), by user id or display name,
 * case-insensitively; nobody else.
 */
class UserDirectoryIT {

    static final String V3 = "/_matrix/client/v3";
    static final String SEARCH = V3 + "/user_directory/search";
    static TestHomeserver hs;
    static TestUser alice;
    static TestUser bob;
    static TestUser carol;
    static TestUser dave;
    static TestUser erin;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = named("alice", "Alice Liddell");
        bob = named("bob", "Bob Builder");
        carol = named("carol", "Carol Danvers");
        dave = named("dave", "Dave Lister");
        erin = named("erin", "Erin Bobson");
        String shared = hs.expect(200, alice, "POST", V3 + "/createRoom",
                "{\"invite\":[\"" + bob.userId() + "\"]}").path("room_id").asText();
        hs.expect(200, bob, "POST", V3 + "/join/" + enc(shared), "{}");
        String published = hs.expect(200, dave, "POST", V3 + "/createRoom",
                "{\"preset\":\"public_chat\",\"visibility\":\"public\"}").path("room_id").asText();
        hs.expect(200, erin, "POST", V3 + "/join/" + enc(published), "{}");
        // Carol is in a room of her own, shared with nobody and not published.
        hs.expect(200, carol, "POST", V3 + "/createRoom", "{}");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static TestUser named(String localpart, String displayName) {
        TestUser user = hs.registerUser(localpart);
        hs.expect(200, user, "PUT", V3 + "/profile/" + enc(user.userId()) + "/displayname",
                "{\"displayname\":\"" + displayName + "\"}");
        return user;
    }



    static List<String> found(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.path("results").forEach(r -> ids.add(r.path("user_id").asText()));
        return ids;
    }

    static JsonNode search(TestUser user, String term) {
        return hs.expect(200, user, "POST", SEARCH, "{\"search_term\":\"" + term + "\"}");
    }

    @Test
    void findsWhoSharesARoomByDisplayNameOrUserIdInAnyCase() {
        JsonNode byName = search(alice, "BUILDER");
        assertEquals(List.of(bob.userId()), found(byName));
        assertEquals("Bob Builder", byName.path("results").get(0).path("display_name").asText());
        assertFalse(byName.path("limited").asBoolean(true));
        assertEquals(List.of(bob.userId()), found(search(alice, "@bob:")));
        assertEquals(List.of(alice.userId()), found(search(bob, "liddell")), "both ways");
    }

    @Test
    void findsMembersOfPublicRooms() {
        assertEquals(List.of(dave.userId()), found(search(alice, "lister")));
        assertEquals(List.of(erin.userId()), found(search(carol, "erin")));
    }

    /**
     * As Synapse: a room opens its members to everyone's search while anyone may join it
     * (join_rule public) or read it (history_visibility world_readable), whether or not it is
     * published, and they drop out when it stops.
     */
    @Test
    void followsTheJoinRulesAndHistoryVisibilityOfRooms() {
        TestUser frank = named("frank", "Frank Zappa");
        TestUser grace = named("grace", "Grace Hopper");
        String room = hs.expect(200, frank, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        assertEquals(List.of(frank.userId()), found(search(grace, "zappa")), "anyone may join, though unpublished");
        String state = V3 + "/rooms/" + enc(room) + "/state/";
        hs.expect(200, frank, "PUT", state + "m.room.join_rules/", "{\"join_rule\":\"invite\"}");
        assertEquals(List.of(), found(search(grace, "zappa")), "no longer public");
        hs.expect(200, frank, "PUT", state + "m.room.history_visibility/", "{\"history_visibility\":\"world_readable\"}");
        assertEquals(List.of(frank.userId()), found(search(grace, "zappa")), "anyone may read it");
        hs.expect(200, frank, "PUT", state + "m.room.history_visibility/", "{\"history_visibility\":\"shared\"}");
        assertEquals(List.of(), found(search(grace, "zappa")));
        hs.expect(200, frank, "PUT", V3 + "/directory/list/room/" + enc(room), "{\"visibility\":\"public\"}");
        assertEquals(List.of(), found(search(grace, "zappa")), "published, but only the invited may join");
        assertEquals(List.of(frank.userId()), found(search(frank, "zappa")), "the searcher is in it");
    }

    /**
     * The join rule is found however far up the room's stored state it lies: after many joins it
     * sits in an older snapshot (or a full copy) than the current one's own changes.
     */
    @Test
    void followsTheJoinRuleOfARoomWithMuchStateAfterIt() {
        TestUser henry = named("henry", "Henry Purcell");
        TestUser ivy = named("ivy", "Ivy Compton");
        String room = hs.expect(200, henry, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        PipelineRooms pipeline = new PipelineRooms(hs);
        for (int i = 0; i < 40; i++) {
            pipeline.join(room, "@crowd-" + i + ":" + hs.serverName(), PipelineRooms.content().put("membership", "join"));
        }
        assertEquals(List.of(henry.userId()), found(search(ivy, "purcell")), "still public after 40 joins");
        String state = V3 + "/rooms/" + enc(room) + "/state/";
        hs.expect(200, henry, "PUT", state + "m.room.join_rules/", "{\"join_rule\":\"invite\"}");
        for (int i = 0; i < 40; i++) {
            hs.expect(200, henry, "PUT", state + "org.example.note/" + i, "{\"n\":" + i + "}");
        }
        assertEquals(List.of(), found(search(ivy, "purcell")), "invite only, however much state came after");
    }

    @Test
    void findsNobodyElse() {
        assertEquals(List.of(), found(search(alice, "danvers")), "carol shares nothing with alice");
        assertEquals(List.of(), found(search(alice, "%")), "LIKE wildcards are literal");
        assertEquals(List.of(), found(search(alice, "_")));
    }

    @Test
    void prefixMatchesComeFirstAndTheLimitSaysWhetherThereWasMore() {
        assertEquals(List.of(bob.userId(), erin.userId()), found(search(alice, "bob")),
                "Bob Builder starts with it, Erin Bobson only contains it");
        JsonNode one = hs.expect(200, alice, "POST", SEARCH, "{\"search_term\":\"bob\",\"limit\":1}");
        assertEquals(List.of(bob.userId()), found(one));
        assertTrue(one.path("limited").asBoolean());
    }

    @Test
    void withSearchAllUsersEveryActiveLocalUserCanBeFound() {
        try (TestHomeserver open = TestHomeserver.builder().configure(c -> c.withUserDirectory(
                new org.myelin.server.config.HomeserverConfig.UserDirectory(true))).start()) {
            TestUser searcher = open.registerUser("searcher");
            TestUser loner = open.registerUser("loner");
            TestUser gone = open.registerUser("lonergone");
            HttpResponse<String> deactivate = open.authed(gone.accessToken(), "POST", V3 + "/account/deactivate",
                    "{\"auth\":{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\""
                            + gone.userId() + "\"},\"password\":\"" + gone.password() + "\"}}");
            assertEquals(200, deactivate.statusCode(), deactivate.body());
            HttpResponse<String> r = open.authed(searcher.accessToken(), "POST", SEARCH, "{\"search_term\":\"loner\"}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of(loner.userId()), found(TestHomeserver.json(r)), "shares no room, deactivated left out");
        }
        assertEquals(List.of(), found(search(alice, "danvers")), "off by default");
    }

    @Test
    void refusesBadRequests() {
        assertEquals("M_MISSING_PARAM", hs.expect(400, alice, "POST", SEARCH, "{}").path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "POST", SEARCH, "{\"search_term\":5}").path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "POST", SEARCH,
                "{\"search_term\":\"bob\",\"limit\":\"many\"}").path("errcode").asText());
        assertEquals("M_NOT_JSON", hs.expect(400, alice, "POST", SEARCH, "not json").path("errcode").asText());
        assertEquals("M_MISSING_TOKEN", hs.expect(401, null, "POST", SEARCH, "{\"search_term\":\"bob\"}")
                .path("errcode").asText());
    }
}
