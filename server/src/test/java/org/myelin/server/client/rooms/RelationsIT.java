package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.rooms.Related.V1;
import static org.myelin.server.client.rooms.Related.ids;
import static org.myelin.server.client.rooms.Rooms.enc;
import static org.myelin.server.client.rooms.Rooms.obj;
import static org.myelin.server.client.rooms.Rooms.room;

/** {@code GET /relations}: a parent's children, paged both ways, filtered, recursive; what it refuses. */
class RelationsIT {

    static TestHomeserver hs;
    static Rooms rooms;
    static Related related;
    static TestUser alice;
    static TestUser bob;
    static TestUser eve;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
        related = new Related(rooms);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** Every child id, following next_batch from the first page on. */
    static List<String> pageAll(String roomId, String parentId, String dir, int limit) {
        List<String> ids = new ArrayList<>();
        String from = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonNode page = related.relations(bob, roomId, parentId,
                    "?dir=" + dir + "&limit=" + limit + (from == null ? "" : "&from=" + enc(from)));
            ids.addAll(ids(page.path("chunk")));
            if (from != null) {
                assertEquals(from, page.path("prev_batch").asText(), "prev_batch is the page's from: " + page);
            } else {
                assertFalse(page.has("prev_batch"), "the first page has no prev_batch: " + page);
            }
            if (!page.has("next_batch")) {
                return ids;
            }
            from = page.path("next_batch").asText();
        }
        throw new AssertionError("did not reach the end");
    }

    @Test
    void pagesThroughChildrenInBothDirectionsWithTokens() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        String root = rooms.send(alice, roomId, "root");
        List<String> children = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            children.add(i % 2 == 0 ? related.threadReply(bob, roomId, root, "reply " + i)
                    : related.react(alice, roomId, root, "k" + i));
            rooms.send(alice, roomId, "unrelated " + i);
        }

        assertEquals(children.reversed(), pageAll(roomId, root, "b", 3), "newest first, none skipped or repeated");
        assertEquals(children, pageAll(roomId, root, "f", 3), "oldest first forwards");
        JsonNode defaults = related.relations(bob, roomId, root, "");
        assertEquals(children.reversed().subList(0, 5), ids(defaults.path("chunk")), "backwards, 5 by default");

        // A /messages token bounds a page: from the end backwards to where the fourth child was sent.
        JsonNode messages = rooms.ok(bob, "GET", room(roomId) + "/messages?dir=b&limit=1", null);
        JsonNode context = rooms.ok(bob, "GET", room(roomId) + "/context/" + enc(children.get(3)) + "?limit=0", null);
        JsonNode bounded = related.relations(bob, roomId, root, "?dir=b&from=" + enc(messages.path("start").asText())
                + "&to=" + enc(context.path("end").asText()));
        assertEquals(children.reversed().subList(0, 3), ids(bounded.path("chunk")), bounded::toString);
        assertFalse(bounded.has("next_batch"), "to is the end: " + bounded);
    }

    @Test
    void filtersByRelationTypeAndEventType() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        String root = rooms.send(alice, roomId, "root");
        String reply = related.threadReply(bob, roomId, root, "in thread");
        String reaction = related.react(bob, roomId, root, "👍");
        String reference = related.reference(alice, roomId, root, "see above");
        String pollResponse = rooms.sendEvent(bob, roomId, "org.example.vote", Related.relatesTo("m.reference", root));

        assertEquals(List.of(reaction), ids(related.relations(bob, roomId, root, "/m.annotation").path("chunk")));
        assertEquals(List.of(pollResponse, reference),
                ids(related.relations(bob, roomId, root, "/m.reference").path("chunk")));
        assertEquals(List.of(reference),
                ids(related.relations(bob, roomId, root, "/m.reference/m.room.message").path("chunk")));
        assertEquals(List.of(reply),
                ids(related.relations(bob, roomId, root, "/m.thread/m.room.message").path("chunk")));
        assertEquals(List.of(), ids(related.relations(bob, roomId, root, "/m.thread/m.reaction").path("chunk")));
        assertEquals(List.of(), ids(related.relations(bob, roomId, root, "/org.example.none").path("chunk")));
    }

    @Test
    void recurseFollowsRelationsOfRelationsThreeLevelsDown() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        String a = rooms.send(alice, roomId, "a");
        String b = related.threadReply(alice, roomId, a, "b in a's thread");
        String c = related.react(alice, roomId, b, "c on b");
        String b2 = related.reference(alice, roomId, a, "b2 refers to a");
        String c2 = related.reference(alice, roomId, b2, "c2 refers to b2");
        String d2 = related.reference(alice, roomId, c2, "d2 refers to c2");
        related.reference(alice, roomId, d2, "e2, four levels down");

        JsonNode direct = related.relations(alice, roomId, a, "?dir=f&limit=20");
        assertEquals(List.of(b, b2), ids(direct.path("chunk")));
        assertFalse(direct.has("recursion_depth"), direct::toString);

        JsonNode deep = related.relations(alice, roomId, a, "?dir=f&limit=20&recurse=true");
        assertEquals(List.of(b, c, b2, c2, d2), ids(deep.path("chunk")), deep::toString);
        assertEquals(3, deep.path("recursion_depth").asInt(), deep::toString);

        JsonNode annotationsOnly = related.relations(alice, roomId, a, "/m.annotation?recurse=true");
        assertEquals(List.of(c), ids(annotationsOnly.path("chunk")), "the filter applies at every level");
    }

    @Test
    void aRedactedChildIsNoLongerListed() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        String root = rooms.send(alice, roomId, "root");
        String kept = related.react(bob, roomId, root, "👍");
        String gone = related.react(bob, roomId, root, "👎");
        rooms.ok(bob, "PUT", room(roomId) + "/redact/" + enc(gone) + "/r1", obj());

        assertEquals(List.of(kept), ids(related.relations(bob, roomId, root, "").path("chunk")));
    }

    @Test
    void refusesUnknownParentsOutsidersAndBadParameters() {
        String roomId = rooms.create(alice, "{\"preset\":\"private_chat\"}");
        String root = rooms.send(alice, roomId, "secret");
        String path = V1 + "/rooms/" + enc(roomId) + "/relations/";

        rooms.fails(404, "M_NOT_FOUND", alice, "GET", path + enc("$unknown"), null);
        rooms.fails(403, "M_FORBIDDEN", eve, "GET", path + enc(root), null);
        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", path + enc(root) + "?dir=x", null);
        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", path + enc(root) + "?from=nonsense", null);
        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", path + enc(root) + "?limit=-1", null);
        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", path + enc(root) + "?recurse=yes", null);
        String otherRoom = rooms.create(alice, "{}");
        String elsewhere = rooms.send(alice, otherRoom, "elsewhere");
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", path + enc(elsewhere), null);
        assertTrue(related.relations(alice, roomId, root, "").path("chunk").isEmpty());
    }
}
