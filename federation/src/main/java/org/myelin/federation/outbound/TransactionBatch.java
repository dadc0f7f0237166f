package org.myelin.federation.outbound;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;

import java.util.List;

/**
 * One transaction to one destination (server-server API, "Transactions"): at most
 * {@link #MAX_PDUS} PDUs and {@link #MAX_EDUS} EDUs, with the origin and when it was made.
 * PDUs go as the JSON they were stored as, in the order they were queued.
 */
public final class TransactionBatch {

    public static final int MAX_PDUS = 50;
    public static final int MAX_EDUS = 100;

    private TransactionBatch() {
    }

    /** The transaction's JSON body. */
    public static ObjectNode transaction(String origin, long originServerTs, List<Pdu> pdus, List<Edu> edus) {
        if (pdus.size() > MAX_PDUS || edus.size() > MAX_EDUS) {
            throw new IllegalArgumentException("a transaction holds at most " + MAX_PDUS + " PDUs and " + MAX_EDUS
                    + " EDUs, not " + pdus.size() + " and " + edus.size());
        }
        ObjectNode txn = JsonNodeFactory.instance.objectNode();
        txn.put("origin", origin);
        txn.put("origin_server_ts", originServerTs);
        ArrayNode pduArray = txn.putArray("pdus");
        for (Pdu pdu : pdus) {
            pduArray.add(pdu.jsonCopy());
        }
        if (!edus.isEmpty()) {
            ArrayNode eduArray = txn.putArray("edus");
            for (Edu edu : edus) {
                ObjectNode e = eduArray.addObject();
                e.put("edu_type", edu.type());
                e.set("content", edu.content().deepCopy());
            }
        }
        return txn;
    }
}
