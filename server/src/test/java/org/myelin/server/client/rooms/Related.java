package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.myelin.server.client.rooms.Rooms.enc;
import static org.myelin.server.client.rooms.Rooms.obj;

/** Sending related events (threads, edits, reactions, references) and reading relations, for tests. */
final class Related {

    static final String V1 = "/_matrix/client/v1";

    private final Rooms rooms;

    Related(Rooms rooms) {
        this.rooms = rooms;
    }

    static ObjectNode relatesTo(String relType, String parentId) {
        ObjectNode content = obj();
        content.putObject("m.relates_to").put("rel_type", relType).put("event_id", parentId);
        return content;
    }

    String threadReply(TestUser user, String roomId, String rootId, String body) {
        ObjectNode content = relatesTo("m.thread", rootId).put("msgtype", "m.text").put("body", body);
        return rooms.sendEvent(user, roomId, "m.room.message", content);
    }

    String edit(TestUser user, String roomId, String originalId, String newBody) {
        ObjectNode content = relatesTo("m.replace", originalId).put("msgtype", "m.text").put("body", "* " + newBody);
        content.putObject("m.new_content").put("msgtype", "m.text").put("body", newBody);
        return rooms.sendEvent(user, roomId, "m.room.message", content);
    }

    String react(TestUser user, String roomId, String targetId, String key) {
        ObjectNode content = obj();
        content.putObject("m.relates_to").put("rel_type", "m.annotation").put("event_id", targetId).put("key", key);
        return rooms.sendEvent(user, roomId, "m.reaction", content);
    }

    String reference(TestUser user, String roomId, String targetId, String body) {
        return rooms.sendEvent(user, roomId, "m.room.message",
                relatesTo("m.reference", targetId).put("msgtype", "m.text").put("body", body));
    }

    JsonNode relations(TestUser user, String roomId, String eventId, String suffixAndQuery) {
        return rooms.ok(user, "GET", V1 + "/rooms/" + enc(roomId) + "/relations/" + enc(eventId) + suffixAndQuery,
                null);
    }

    JsonNode threads(TestUser user, String roomId, String query) {
        return rooms.ok(user, "GET", V1 + "/rooms/" + enc(roomId) + "/threads" + query, null);
    }

    static List<String> ids(JsonNode chunk) {
        List<String> ids = new ArrayList<>();
        chunk.forEach(e -> ids.add(e.path("event_id").asText()));
        return ids;
    }
}
