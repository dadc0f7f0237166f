package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Runs every case of the JSON fixtures under {@code src/test/resources/auth/} in every room
 * version it names: builds its state and event with {@link FixtureRoom}, runs
 * {@link EventAuth#check} (or {@link EventAuth#checkAuthEvents} for {@code "check": "auth_events"})
 * and compares the verdict with {@code allow} or the expected rule number. See
 * {@link AuthFixtures} for the file format.
 */
class AuthFixturesTest {

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (AuthFixtures.Case c : AuthFixtures.load()) {
            c.expected().forEach((version, verdict) ->
                    all.add(Arguments.of("[v" + version.id() + "] " + c.file() + ": " + c.name(), c, version, verdict)));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdictMatchesFixture(String title, AuthFixtures.Case c, RoomVersion version, String expected) {
        AuthResult result = run(c, version);
        String actual = result instanceof AuthResult.Rejected rejected ? rejected.rule() : "allow";
        String reason = result instanceof AuthResult.Rejected rejected ? rejected.reason() : "";
        assertEquals(expected, actual, title + " (" + reason + ")");
        if (result instanceof AuthResult.Rejected rejected) {
            assertFalse(rejected.reason().isBlank(), "a rejection says why");
        }
    }

    static AuthResult run(AuthFixtures.Case c, RoomVersion version) {
        FixtureRoom room = new FixtureRoom(version);
        for (JsonNode event : c.state()) {
            room.addToState((ObjectNode) event);
        }
        Pdu event = room.build(c.event());
        if (c.checksAuthEvents()) {
            List<Pdu> authEvents = new ArrayList<>();
            for (String id : event.authEventIds()) {
                authEvents.add(room.byId(id));
            }
            Set<String> rejected = new HashSet<>();
            for (String name : c.rejected()) {
                rejected.add(room.named(name).eventId());
            }
            return EventAuth.checkAuthEvents(event, authEvents, e -> rejected.contains(e.eventId()));
        }
        return EventAuth.check(event, AuthState.of(room.state()), AuthFixturesTest::isSignedBy);
    }

    /** Really verifies: the fixture keys are the only keys. */
    static boolean isSignedBy(Pdu event, String server) {
        return EventSigning.verify(event.json(), event.roomVersion(), server, TestKeys.of(server).verifyKey());
    }
}
