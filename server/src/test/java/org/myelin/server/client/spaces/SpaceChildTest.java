package org.myelin.server.client.spaces;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order of a space's children, and which {@code m.space.child} contents name a child (client-server API, "Spaces"). */
class SpaceChildTest {

    @Test
    void childrenAreOrderedAsTheSpecsExample() {
        List<SpaceChild> children = new ArrayList<>(List.of(
                child("!b:example.org", 1640341000000L, "{\"order\":\" \",\"via\":[\"example.org\"]}"),
                child("!a:example.org", 1640141000000L, "{\"order\":\"aaaa\",\"via\":[\"example.org\"]}"),
                child("!c:example.org", 1640841000000L, "{\"order\":\"first\",\"via\":[\"example.org\"]}"),
                child("!e:example.org", 1640641000000L, "{\"via\":[\"example.org\"]}"),
                child("!d:example.org", 1640741000000L, "{\"via\":[\"example.org\"]}")));
        children.sort(SpaceChild.ORDER);
        assertEquals(List.of("!b:example.org", "!a:example.org", "!c:example.org", "!e:example.org", "!d:example.org"),
                children.stream().map(SpaceChild::stateKey).toList());
    }

    @Test
    void anInvalidOrderCountsAsNoneAndTiesGoByTimestampThenRoomId() {
        List<SpaceChild> children = new ArrayList<>(List.of(
                child("!late:x", 3, "{\"order\":\"" + "a".repeat(51) + "\",\"via\":[\"x\"]}"),
                child("!tab:x", 2, "{\"order\":\"a\\tb\",\"via\":[\"x\"]}"),
                child("!z:x", 1, "{\"order\":\"same\",\"via\":[\"x\"]}"),
                child("!y:x", 1, "{\"order\":\"same\",\"via\":[\"x\"]}")));
        children.sort(SpaceChild.ORDER);
        assertEquals(List.of("!y:x", "!z:x", "!tab:x", "!late:x"), children.stream().map(SpaceChild::stateKey).toList());
    }

    @Test
    void aChildNeedsAViaListOfServerNames() {
        assertTrue(SpaceChild.parse(json("{\"type\":\"m.space.child\",\"state_key\":\"!r:x\",\"content\":{\"via\":[\"x\"]},"
                + "\"sender\":\"@u:x\",\"origin_server_ts\":5}")).isPresent());
        for (String content : List.of("{}", "{\"via\":[]}", "{\"via\":\"x\"}", "{\"via\":[\"x\",1]}")) {
            assertFalse(SpaceChild.parse(json("{\"type\":\"m.space.child\",\"state_key\":\"!r:x\",\"content\":" + content
                    + "}")).isPresent(), content);
        }
        assertFalse(SpaceChild.parse(json("{\"type\":\"m.space.child\",\"content\":{\"via\":[\"x\"]}}")).isPresent());
        assertTrue(child("!r:x", 1, "{\"via\":[\"x\"],\"suggested\":true}").suggested());
        assertFalse(child("!r:x", 1, "{\"via\":[\"x\"],\"suggested\":\"true\"}").suggested());
    }

    private static SpaceChild child(String roomId, long ts, String content) {
        return new SpaceChild("m.space.child", roomId, json(content), "@alice:example.org", ts);
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
