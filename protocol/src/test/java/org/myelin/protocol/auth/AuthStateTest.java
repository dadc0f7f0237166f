package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthStateTest {

    static Pdu member(String user, String membership, long ts) {
        return EventBuilder.in(RoomVersions.V11, "!r:a.test").type(StateKey.MEMBER).stateKey(user).sender(user)
                .content(JsonNodeFactory.instance.objectNode().put("membership", membership))
                .originServerTs(ts).build("a.test", TestKeys.of("a.test"));
    }

    @Test
    void stateOfEventsIsKeyedByTypeAndStateKey() {
        Pdu alice = member("@alice:a.test", "join", 1);
        AuthState state = AuthState.of(List.of(alice));
        assertEquals(alice, state.get(StateKey.member("@alice:a.test")));
        assertEquals("join", state.membership("@alice:a.test"));
        assertNull(state.get(StateKey.powerLevels()));
        assertNull(state.membership("@bob:b.test"));
    }

    @Test
    void twoEventsForOneKeyAreAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> AuthState.of(List.of(member("@a:a.test", "join", 1), member("@a:a.test", "leave", 2))));
    }

    @Test
    void aMessageIsNoState() {
        Pdu message = EventBuilder.in(RoomVersions.V11, "!r:a.test").type("m.room.message").sender("@a:a.test")
                .build("a.test", TestKeys.of("a.test"));
        assertThrows(IllegalArgumentException.class, () -> AuthState.of(List.of(message)));
    }

    @Test
    void verifiedOnReceiptLooksForTheServersSignature() {
        Pdu alice = member("@alice:a.test", "join", 1);
        assertTrue(SignatureCheck.verifiedOnReceipt().isSignedBy(alice, "a.test"));
        assertFalse(SignatureCheck.verifiedOnReceipt().isSignedBy(alice, "b.test"));
    }

    @Test
    void authEventsThatAreNotSuppliedAreAnError() {
        Pdu alice = member("@alice:a.test", "join", 1);
        Pdu message = EventBuilder.in(RoomVersions.V11, "!r:a.test").type("m.room.message").sender("@alice:a.test")
                .authEvents(List.of(alice.eventId())).build("a.test", TestKeys.of("a.test"));
        assertThrows(IllegalArgumentException.class, () -> EventAuth.checkAuthEvents(message, List.of()));
    }
}
