package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rooms spanning three Myelins, driven by real users through the client API only: joining by
 * alias through another server, messages both ways in order, typing and receipts, invites across
 * servers, and leaving, kicking and banning remote users.
 */
class FederatedRoomsIT {

    static ThreeServers servers;
    static MatrixClient alice;
    static MatrixClient bob;
    static MatrixClient carol;

    @BeforeAll
    static void start() {
        servers = ThreeServers.start();
        alice = MatrixClient.register(servers.a, "alice");
        bob = MatrixClient.register(servers.b, "bob");
        carol = MatrixClient.register(servers.c, "carol");
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @Test
    void usersOfThreeServersJoinByAliasAndTalkInOrder() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"room_alias_name\":\"lobby\","
                + "\"name\":\"Lobby\"}");
        String alias = "#lobby:" + servers.a.serverName();
        alice.send(roomId, "before anyone came");

        assertEquals(roomId, bob.join(alias));
        assertEquals(roomId, carol.join(alias));

        bob.awaitSync("the lobby with its history", c -> c.bodies(roomId).contains("before anyone came"));
        for (int i = 1; i <= 3; i++) {
            alice.send(roomId, "alice " + i);
        }
        for (MatrixClient reader : List.of(alice, bob, carol)) {
            reader.awaitSync("alice's three messages", c -> c.bodies(roomId).contains("alice 3"));
        }
        for (int i = 1; i <= 3; i++) {
            bob.send(roomId, "bob " + i);
        }
        for (int i = 1; i <= 3; i++) {
            carol.send(roomId, "carol " + i);
        }
        List<String> expected = List.of("alice 1", "alice 2", "alice 3", "bob 1", "bob 2", "bob 3");
        for (MatrixClient reader : List.of(alice, bob, carol)) {
            reader.awaitSync("everyone's messages", c -> c.bodies(roomId).containsAll(expected)
                    && c.bodies(roomId).contains("carol 3"));
            List<String> seen = reader.bodies(roomId);
            assertEquals(expected, seen.stream().filter(expected::contains).toList(), reader.userId() + " saw " + seen);
            assertEquals(List.of("carol 1", "carol 2", "carol 3"),
                    seen.stream().filter(b -> b.startsWith("carol")).toList());
        }
        assertEquals(alice.roomState(roomId), bob.roomState(roomId));
        assertEquals(alice.roomState(roomId), carol.roomState(roomId));
    }
}
