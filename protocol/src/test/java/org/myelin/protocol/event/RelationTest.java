package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which contents carry a relation (client-server API, "Forming relationships between events"). */
class RelationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode content(String json) {
        try {
            return JSON.readTree(json.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{'m.relates_to': {'rel_type': 'm.thread', 'event_id': '$root'}}                | m.thread $root null",
            "{'m.relates_to': {'rel_type': 'm.annotation', 'event_id': '$e', 'key': '👍'}}  | m.annotation $e 👍",
            "{'m.relates_to': {'rel_type': 'm.annotation', 'event_id': '$e', 'key': 5}}     | m.annotation $e null",
            "{'m.relates_to': {'rel_type': 'org.example', 'event_id': '$e'}}                | org.example $e null",
            "{'m.relates_to': {'m.in_reply_to': {'event_id': '$e'}}}                        | none",
            "{'m.relates_to': {'rel_type': 'm.replace'}}                                    | none",
            "{'m.relates_to': {'rel_type': 'm.replace', 'event_id': 7}}                     | none",
            "{'m.relates_to': {'rel_type': 1, 'event_id': '$e'}}                            | none",
            "{'m.relates_to': ['m.replace', '$e']}                                          | none",
            "{'body': 'plain'}                                                              | none",
    })
    void readsTheRelationOfAContent(String content, String expected) {
        String found = Relation.of(content(content))
                .map(r -> r.relType() + " " + r.parentId() + " " + r.aggregationKey())
                .orElse("none");
        assertEquals(expected, found);
    }
}
