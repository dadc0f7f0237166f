package org.myelin.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.testing.FakeAppService;
import org.myelin.server.testing.TestHomeserver;

/**
 * A bridge on one server hears what users of another server do in its rooms: their read
 * receipts arrive as {@code m.receipt} EDUs and reach the bridge's transactions as Synapse's
 * notifier sends every receipt of a room of interest, not only local users'.
 */
class FederatedAppServiceIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String TOKEN = "br-token";

    @TempDir
    static Path dir;
    static FakeAppService bridge;
    static TestHomeserver a;
    static TestHomeserver b;

    @BeforeAll
    static void start() {
        bridge = new FakeAppService();
        Path file = bridge.writeRegistration(dir, "br", TOKEN, "receive_ephemeral: true\n");
        a = TestHomeserver.builder().configure(c -> c.withAppServiceConfigFiles(List.of(file))
                .withFederation(c.federation().withBackoff(200, 2_000))).start();
        b = TestHomeserver.builder().configure(c -> c.withFederation(c.federation().withBackoff(200, 2_000))).start();
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        bridge.close();
    }

    @Test
    void aRemoteUsersReadReceiptReachesTheBridge() {
        MatrixClient alice = MatrixClient.register(a, "alice");
        MatrixClient bob = MatrixClient.register(b, "bob");
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        String virtual = "@br_alice:" + a.serverName();
        HttpResponse<String> registered = a.authed(TOKEN, "POST", V3 + "/register",
                "{\"type\":\"m.login.application_service\",\"username\":\"br_alice\"}");
        assertEquals(200, registered.statusCode(), registered.body());
        HttpResponse<String> joined = a.authed(TOKEN, "POST", V3 + "/join/" + MatrixClient.enc(roomId)
                + "?user_id=" + MatrixClient.enc(virtual), "{}");
        assertEquals(200, joined.statusCode(), joined.body());
        assertEquals(roomId, bob.join(roomId, a.serverName()));
        String eventId = alice.send(roomId, "read me over there");
        bob.awaitSync("alice's message", c -> c.bodies(roomId).contains("read me over there"));

        bob.ok("POST", V3 + "/rooms/" + MatrixClient.enc(roomId) + "/receipt/m.read/" + MatrixClient.enc(eventId),
                "{}");

        JsonNode receipt = nextReceiptOf(bob.userId());
        assertEquals(roomId, receipt.path("room_id").asText());
        assertEquals(List.of(bob.userId()), List.copyOf(
                iterableNames(receipt.path("content").path(eventId).path("m.read"))), receipt.toString());
    }

    /** Transactions until one carries an {@code m.receipt} by {@code userId}; that event. */
    private static JsonNode nextReceiptOf(String userId) {
        while (true) {
            for (JsonNode e : bridge.nextTransaction().body().path("ephemeral")) {
                if (e.path("type").asText().equals("m.receipt") && e.path("content").toString().contains(userId)) {
                    return e;
                }
            }
        }
    }

    private static List<String> iterableNames(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
