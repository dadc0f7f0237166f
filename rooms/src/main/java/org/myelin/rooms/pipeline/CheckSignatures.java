package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.EventHashes;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.Redaction;
import org.myelin.rooms.ports.ServerKeys;

/**
 * Step 1 for a received event (server-server API, "Checks performed on receipt of a PDU", 2 and 3):
 * the sender's server must have signed it (and, in v1-v2, the server named in the event id);
 * if the content hash does not match, the event is kept only in its redacted form.
 */
final class CheckSignatures {

    /** The event to go on with, or the reason to refuse it. */
    sealed interface Result {
        record Valid(Pdu pdu) implements Result {
        }

        record Invalid(String reason) implements Result {
        }
    }

    private final ServerKeys keys;

    CheckSignatures(ServerKeys keys) {
        this.keys = keys;
    }

    Result check(Pdu pdu) {
        String senderServer = pdu.senderDomain();
        if (!keys.isSignedBy(pdu, senderServer)) {
            return new Result.Invalid("not signed by the sender's server " + senderServer);
        }
        if (!pdu.roomVersion().eventFormat().eventIdIsHash()) {
            String idServer = Pdu.domainOf(pdu.eventId());
            if (!idServer.equals(senderServer) && !keys.isSignedBy(pdu, idServer)) {
                return new Result.Invalid("not signed by the event id's server " + idServer);
            }
        }
        if (!EventHashes.contentHashMatches(pdu.json())) {
            ObjectNode redacted = Redaction.redact(pdu.json(), pdu.roomVersion().redaction());
            return new Result.Valid(Pdu.parse(redacted, pdu.roomVersion()));
        }
        return new Result.Valid(pdu);
    }
}
