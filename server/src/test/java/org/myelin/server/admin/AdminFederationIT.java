package org.myelin.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * Federation destinations (Synapse's admin API, "Federation API"): a server that shares a room is
 * listed, one that cannot be reached shows its retry timings, and reset_connection clears them.
 */
class AdminFederationIT {

    private static final String DESTINATIONS = "/_synapse/admin/v1/federation/destinations";
    private static TestHomeserver a;
    private static TestHomeserver b;
    private static TestUser admin;

    @BeforeAll
    static void boot() {
        a = TestHomeserver.builder().configure(c -> c.withFederation(c.federation().withBackoff(60_000, 600_000)))
                .start();
        b = TestHomeserver.start();
        admin = Admins.admin(a, "admin");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void listsDestinationsWithTheirRetryTimingsAndResetsThem() {
        // A room shared with b: b is a destination, not failing.
        TestUser bob = b.registerUser("bob");
        String roomId = b.expect(200, bob, "POST", "/_matrix/client/v3/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        TestUser alice = a.registerUser("alice");
        a.expect(200, alice, "POST", "/_matrix/client/v3/join/" + enc(roomId) + "?server_name=" + enc(b.serverName()),
                "{}");
        // A server that cannot be reached: a profile query to it fails and starts its backoff.
        String dead = "127.0.0.1:" + TestHomeserver.freePort();
        assertTrue(a.authed(alice.accessToken(), "GET", "/_matrix/client/v3/profile/" + enc("@x:" + dead), null)
                .statusCode() >= 400);

        JsonNode list = a.expect(200, admin, "GET", DESTINATIONS, null);
        assertEquals(2, list.path("total").asInt(), list.toString());
        JsonNode first = list.path("destinations").get(0);
        JsonNode second = list.path("destinations").get(1);
        JsonNode deadEntry = first.path("destination").asText().equals(dead) ? first : second;
        JsonNode liveEntry = deadEntry == first ? second : first;
        assertEquals(b.serverName(), liveEntry.path("destination").asText());
        assertEquals(0, liveEntry.path("retry_last_ts").asLong());
        assertEquals(0, liveEntry.path("retry_interval").asLong());
        assertTrue(liveEntry.path("failure_ts").isNull());
        assertTrue(liveEntry.has("last_successful_stream_ordering"));
        assertTrue(deadEntry.path("retry_last_ts").asLong() > 0, deadEntry.toString());
        assertEquals(60_000, deadEntry.path("retry_interval").asLong());
        assertTrue(deadEntry.path("failure_ts").asLong() > 0);

        JsonNode limited = a.expect(200, admin, "GET", DESTINATIONS + "?limit=1&order_by=retry_last_ts&dir=b", null);
        assertEquals(dead, limited.path("destinations").get(0).path("destination").asText());
        assertEquals("1", limited.path("next_token").asText());

        String one = DESTINATIONS + "/" + enc(dead);
        assertEquals(deadEntry, a.expect(200, admin, "GET", one, null));
        a.expect(200, admin, "POST", one + "/reset_connection", "{}");
        JsonNode reset = a.expect(200, admin, "GET", one, null);
        assertEquals(0, reset.path("retry_last_ts").asLong());
        assertTrue(reset.path("failure_ts").isNull());
        assertEquals(400, a.authed(admin.accessToken(), "POST", DESTINATIONS + "/" + enc(b.serverName())
                + "/reset_connection", "{}").statusCode(), "nothing to reset");
        assertEquals("M_NOT_FOUND", a.expect(404, admin, "GET", DESTINATIONS + "/unknown.example", null)
                .path("errcode").asText());
        assertEquals(403, a.authed(alice.accessToken(), "GET", DESTINATIONS, null).statusCode());
    }
}
