package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.myelin.federation.inbound.InboundEdus;
import org.myelin.federation.outbound.Edu;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.presence.LocalPresence;
import org.myelin.server.client.presence.PresenceState;
import org.myelin.server.testing.MutableClock;
import org.myelin.storage.Database;
import org.myelin.storage.presence.PresenceRepository;
import org.myelin.storage.testing.TestDatabases;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What other servers are told of our users' presence, and when: on a change, on a timeout that
 * no request caused (found by the sweep), and again before they would time it out; never when
 * nothing changed, never to ourselves. A real presence store, a clock the test moves.
 */
class FederatedPresenceIT {

    record Sent(Set<String> destinations, JsonNode update) {
    }

    private static Database database;
    private static int users;
    private final MutableClock clock = new MutableClock();
    private final List<Sent> sent = new ArrayList<>();
    private LocalPresence presence;
    private FederatedPresence federated;
    private String alice;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @BeforeEach
    void fresh() {
        presence = new LocalPresence(new PresenceRepository(database.dataSource()), clock, "hs.test", (u, p) -> { });
        LocalServer local = new LocalServer("hs.test", SigningKey.fromSeed("1", new byte[32]));
        federated = new FederatedPresence(local, user -> Set.of("hs.test", "other.test", "third.test"),
                user -> !user.startsWith("@stranger"), presence,
                (destinations, edu) -> sent.add(new Sent(destinations, only(edu))), clock);
        presence.listen(federated);
        alice = "@alice" + (++users) + ":hs.test";
    }

    private static JsonNode only(Edu edu) {
        assertEquals("m.presence", edu.type());
        assertEquals(1, edu.content().path("push").size());
        return edu.content().path("push").get(0);
    }

    @Test
    void aChangeGoesToTheServersSharingARoomButUs() {
        presence.set(alice, PresenceState.ONLINE, "at my desk");
        assertEquals(1, sent.size());
        assertEquals(Set.of("other.test", "third.test"), sent.get(0).destinations());
        JsonNode update = sent.get(0).update();
        assertEquals(alice, update.path("user_id").asText());
        assertEquals("online", update.path("presence").asText());
        assertEquals("at my desk", update.path("status_msg").asText());
        assertEquals(0, update.path("last_active_ago").asLong());
        assertTrue(update.path("currently_active").asBoolean());
    }

    @Test
    void nothingIsSentWhenNothingChanged() {
        presence.set(alice, PresenceState.ONLINE, "here");
        presence.set(alice, PresenceState.ONLINE, "here");
        federated.sweep();
        assertEquals(1, sent.size());
    }

    @Test
    void theSweepSendsTimeoutsThatNoRequestCaused() {
        try (var syncing = presence.syncing(alice, PresenceState.ONLINE)) {
            assertEquals(1, sent.size());
            clock.advance(61_000);
            federated.sweep();
            assertEquals(2, sent.size(), "no longer currently active");
            assertFalse(sent.get(1).update().path("currently_active").asBoolean(true));
            clock.advance(5 * 60_000);
            federated.sweep();
            assertEquals("unavailable", sent.get(2).update().path("presence").asText(), "idle");
        }
        clock.advance(31_000);
        federated.sweep();
        assertEquals("offline", sent.get(3).update().path("presence").asText(), "stopped syncing");
        clock.advance(60 * 60_000);
        federated.sweep();
        assertEquals(4, sent.size(), "offline is not renewed");
    }

    @Test
    void presenceIsRenewedBeforeOtherServersTimeItOut() {
        assertTrue(FederatedPresence.RENEW_MS < LocalPresence.REMOTE_TIMEOUT_MS);
        try (var syncing = presence.syncing(alice, PresenceState.UNAVAILABLE)) {
            assertEquals(1, sent.size());
            clock.advance(FederatedPresence.RENEW_MS - 1);
            federated.sweep();
            assertEquals(1, sent.size(), "not due yet");
            clock.advance(1);
            federated.sweep();
            assertEquals(2, sent.size(), "renewed");
            assertEquals("unavailable", sent.get(1).update().path("presence").asText());
            federated.sweep();
            assertEquals(2, sent.size(), "once");
        }
    }

    @Test
    void aRemoteServersUpdateIsKeptNotSentOn() {
        federated.received(new InboundEdus.Presence("@bob:other.test", "unavailable", "brb", 3_000, false));
        assertEquals(PresenceState.UNAVAILABLE, presence.get("@bob:other.test").presence());
        assertEquals("brb", presence.get("@bob:other.test").statusMsg());
        federated.received(new InboundEdus.Presence("@bob:other.test", "dancing", null, 0, false));
        assertEquals(PresenceState.UNAVAILABLE, presence.get("@bob:other.test").presence(), "not a presence state");
        assertTrue(sent.isEmpty(), "their users are theirs to announce");
    }

    @Test
    void presenceOfAUserInNoneOfOurRoomsIsNotKept() {
        long before = presence.position();
        federated.received(new InboundEdus.Presence("@stranger:other.test", "online", "hello", 0, true));
        assertEquals(PresenceState.OFFLINE, presence.get("@stranger:other.test").presence());
        assertEquals(before, presence.position(), "nothing stored");
    }
}
