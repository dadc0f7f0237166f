package org.myelin.federation.outbound;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shape and limits of an outbound transaction (server-server API, "Transactions"). */
class TransactionBatchTest {

    static final SigningKey KEY = SigningKey.fromSeed("k", new byte[32]);

    static Pdu message(int i) {
        return EventBuilder.in(RoomVersions.V10, "!room:a.org").type("m.room.message").sender("@u:a.org")
                .content(JsonNodeFactory.instance.objectNode().put("body", "m" + i))
                .prevEvents(List.of("$" + "A".repeat(43))).authEvents(List.of("$" + "B".repeat(43))).depth(i + 1).originServerTs(i)
                .build("a.org", KEY);
    }

    @Test
    void holdsPdusAsStoredAndEdusWithTheirType() {
        Pdu pdu = message(1);
        ObjectNode typing = JsonNodeFactory.instance.objectNode().put("room_id", "!room:a.org");
        ObjectNode txn = TransactionBatch.transaction("a.org", 42, List.of(pdu), List.of(new Edu("m.typing", typing)));
        assertEquals("a.org", txn.path("origin").asText());
        assertEquals(42, txn.path("origin_server_ts").asLong());
        assertEquals(pdu.json(), txn.path("pdus").get(0));
        assertEquals("m.typing", txn.path("edus").get(0).path("edu_type").asText());
        assertEquals(typing, txn.path("edus").get(0).path("content"));
    }

    @Test
    void leavesOutEdusWhenThereAreNone() {
        assertFalse(TransactionBatch.transaction("a.org", 1, List.of(message(1)), List.of()).has("edus"));
    }

    @Test
    void holdsAtMostFiftyPdusAndAHundredEdus() {
        List<Pdu> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add(message(i));
        }
        List<Edu> hundred = Collections.nCopies(100, new Edu("m.presence", JsonNodeFactory.instance.objectNode()));
        assertEquals(50, TransactionBatch.transaction("a.org", 1, fifty, hundred).path("pdus").size());
        List<Pdu> fiftyOne = new ArrayList<>(fifty);
        fiftyOne.add(message(51));
        assertThrows(IllegalArgumentException.class, () -> TransactionBatch.transaction("a.org", 1, fiftyOne, List.of()));
        List<Edu> hundredOne = new ArrayList<>(hundred);
        hundredOne.add(hundred.getFirst());
        assertThrows(IllegalArgumentException.class, () -> TransactionBatch.transaction("a.org", 1, List.of(), hundredOne));
    }
}
