package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SyncEventFormatTest {

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(text);
    }

    @Test
    void eventFieldsKeepOnlyTheDottedPathsGiven() throws Exception {
        ObjectNode event = json("{\"type\": \"m.room.message\", \"event_id\": \"$e\", \"content\": {\"body\": \"hi\","
                + " \"msgtype\": \"m.text\", \"m.relates_to\": {\"rel_type\": \"m.thread\"}}}");
        assertEquals(json("{\"type\": \"m.room.message\", \"content\": {\"body\": \"hi\"}}"),
                SyncEventFormat.project(event, List.of("type", "content.body", "content.missing", "nothing")));
        assertEquals(json("{\"content\": {\"m.relates_to\": {\"rel_type\": \"m.thread\"}}}"),
                SyncEventFormat.project(event, List.of("content.m\\.relates_to")));
    }

    @Test
    void strippedStateKeepsSenderTypeStateKeyAndContent() throws Exception {
        ObjectNode event = json("{\"type\": \"m.room.name\", \"state_key\": \"\", \"sender\": \"@a:x\","
                + " \"content\": {\"name\": \"N\"}, \"event_id\": \"$e\", \"origin_server_ts\": 1, \"signatures\": {}}");
        assertEquals(json("{\"type\": \"m.room.name\", \"state_key\": \"\", \"sender\": \"@a:x\","
                + " \"content\": {\"name\": \"N\"}}"), SyncEventFormat.stripped(event));
    }
}
