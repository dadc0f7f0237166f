package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.client.sync.SyncResponse.DeviceLists;
import org.myelin.server.client.sync.SyncResponse.EventBatch;
import org.myelin.server.client.sync.SyncResponse.InvitedRoom;
import org.myelin.server.client.sync.SyncResponse.JoinedRoom;
import org.myelin.server.client.sync.SyncResponse.KnockedRoom;
import org.myelin.server.client.sync.SyncResponse.LeftRoom;
import org.myelin.server.client.sync.SyncResponse.RoomSummary;
import org.myelin.server.client.sync.SyncResponse.Rooms;
import org.myelin.server.client.sync.SyncResponse.Timeline;
import org.myelin.server.client.sync.SyncResponse.UnreadCounts;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written /sync writer gives what the mapper gives from the records, field for field. */
class SyncResponseSerializerTest {

    /** Takes the class's serializer annotation away, leaving the mapper's reflective writing. */
    @JsonSerialize(using = JsonSerializer.None.class)
    private interface Reflective {
    }

    private static final ObjectMapper REFLECTIVE = Json.MAPPER.copy().addMixIn(SyncResponse.class, Reflective.class);

    @Test
    void everySectionIsWrittenAsTheMapperWritesIt() throws Exception {
        assertSame(full());
    }

    @Test
    void nullsAreLeftOutAndEmptySectionsKept() throws Exception {
        Map<String, JoinedRoom> join = new LinkedHashMap<>();
        join.put("!quiet:x", new JoinedRoom(null, EventBatch.EMPTY, null,
                new Timeline(List.of(), false, null), EventBatch.EMPTY, EventBatch.EMPTY, UnreadCounts.NONE, null));
        join.put("!gone:x", null);
        Map<String, Integer> keys = new LinkedHashMap<>();
        keys.put("signed_curve25519", 3);
        keys.put("missing", null);
        assertSame(new SyncResponse("s1", new Rooms(join, Map.of(), Map.of(), Map.of()), EventBatch.EMPTY,
                EventBatch.EMPTY, EventBatch.EMPTY, DeviceLists.NONE, keys, null));
        assertSame(new SyncResponse(null, null, null, null, null, null, null, null));
    }

    private static void assertSame(SyncResponse response) throws Exception {
        String reflective = REFLECTIVE.writeValueAsString(response);
        String written = new String(Json.write(response).getBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(REFLECTIVE.readTree(reflective), Json.MAPPER.readTree(written), written);
    }

    private static SyncResponse full() {
        ObjectNode message = event("m.room.message");
        message.putObject("unsigned").put("age", 5).put("transaction_id", "t1");
        ObjectNode member = event("m.room.member").put("state_key", "@a:x");
        JoinedRoom joined = new JoinedRoom(new RoomSummary(List.of("@a:x", "@b:x"), 2, 1),
                new EventBatch(List.of(member)), null, new Timeline(List.of(message, member), true, "t-prev"),
                new EventBatch(List.of(event("m.typing"))), new EventBatch(List.of(event("m.tag"))),
                new UnreadCounts(1, 4), Map.of("$root:x", new UnreadCounts(0, 2)));
        JoinedRoom named = new JoinedRoom(new RoomSummary(null, 3, 0), EventBatch.EMPTY, EventBatch.EMPTY,
                new Timeline(Arrays.asList(message, null), false, "p"), EventBatch.EMPTY, EventBatch.EMPTY,
                UnreadCounts.NONE, null);
        Map<String, JoinedRoom> join = new LinkedHashMap<>();
        join.put("!a:x", joined);
        join.put("!b:x", named);
        return new SyncResponse("s72_4", new Rooms(join,
                Map.of("!i:x", new InvitedRoom(new EventBatch(List.of(member)))),
                Map.of("!l:x", new LeftRoom(null, new EventBatch(List.of(member)),
                        new Timeline(List.of(member), false, "l-prev"), EventBatch.EMPTY)),
                Map.of("!k:x", new KnockedRoom(new EventBatch(List.of(member))))),
                new EventBatch(List.of(event("m.presence"))), new EventBatch(List.of(event("m.push_rules"))),
                new EventBatch(List.of(event("m.room_key"))), new DeviceLists(List.of("@c:x"), List.of("@d:x")),
                Map.of("signed_curve25519", 50), List.of("signed_curve25519"));
    }

    private static ObjectNode event(String type) {
        ObjectNode e = JsonNodeFactory.instance.objectNode().put("type", type).put("sender", "@a:x");
        e.putObject("content").put("body", "h\u00e9llo \"quoted\"").putArray("list").add(1).add(true).addNull();
        return e;
    }
}
