package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.http.Json;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.myelin.storage.keys.DeviceKeyRepository;
import org.myelin.storage.keys.RemoteDeviceListRepository;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.FederatedRooms.await;
import static org.myelin.server.federation.KeysFederationIT.V3;
import static org.myelin.server.federation.KeysFederationIT.body;
import static org.myelin.server.federation.KeysFederationIT.deviceKeys;
import static org.myelin.server.federation.KeysFederationIT.deviceListUpdate;
import static org.myelin.server.federation.KeysFederationIT.devicesAnswer;
import static org.myelin.server.federation.KeysFederationIT.json;
import static org.myelin.server.federation.KeysFederationIT.key;
import static org.myelin.server.federation.KeysFederationIT.ok;
import static org.myelin.server.federation.KeysFederationIT.query;

/**
 * Device lists across servers over time (server-server API, "Device Management"): a local change
 * committed but not yet told when the process stopped reaches the peers after the restart, in its
 * user's {@code prev_id} chain; a remote user's cached list is dropped once no local user shares a
 * room with them, and /keys/query asks their server again.
 */
class DeviceListTrackingIT {

    static TestHomeserver hs;
    static FakeRemoteServer fake;

    @BeforeAll
    static void start() {
        hs = TestHomeserver.start();
        fake = FakeRemoteServer.start();
    }

    @AfterAll
    static void stop() {
        fake.close();
        hs.close();
    }

    // ---- a change survives a stop ----

    @Test
    void aChangeCommittedButNotToldReachesThePeerAfterARestart() {
        TestUser bob = hs.registerUser("bob-restart");
        roomWithFakeMember(bob, fake.user("judy"));
        ok(hs, bob, "POST", V3 + "/keys/upload", body("device_keys", deviceKeys(bob, key(bob))));
        await("the peer got bob's first device", () -> !updatesOf(bob.userId()).isEmpty());
        long first = updatesOf(bob.userId()).getLast().path("stream_id").asLong();

        // The new device's keys committed as an upload commits them, and nobody told: as if the
        // process stopped between the commit and telling the other servers.
        TestUser phone = hs.login(bob);
        new DeviceKeyRepository(hs.homeserver().database().dataSource()).store(bob.userId(), phone.deviceId(),
                CanonicalJson.encodeToString(deviceKeys(phone, key(phone))), System.currentTimeMillis(), old -> false);
        hs.restart();

        await("the peer got bob's second device after the restart", () -> updatesOf(bob.userId()).stream()
                .anyMatch(u -> phone.deviceId().equals(u.path("device_id").asText())));
        JsonNode update = updatesOf(bob.userId()).stream()
                .filter(u -> phone.deviceId().equals(u.path("device_id").asText())).findFirst().orElseThrow();
        assertEquals(List.of(first), longs(update.path("prev_id")), "it follows the last update told: " + update);
        assertEquals(phone.deviceId(), update.path("keys").path("device_id").asText(), update::toString);
        assertFalse(update.path("deleted").asBoolean(), update::toString);
    }

    // ---- the cache of a remote user we no longer share a room with ----

    @Test
    void aRemoteUserWhoLeavesTheLastSharedRoomIsNoLongerCached() {
        TestUser bob = hs.registerUser("bob-theyleave");
        String kim = fake.user("kim");
        String roomId = roomWithFakeMember(bob, kim);
        cache(bob, kim);

        Pdu leave = FederatedRooms.remoteEvent(hs, roomId, kim, "m.room.member", kim,
                FederatedRooms.content("membership", "leave"), fake.serverName(), fake.signingKey());
        FederatedRooms.accepted(FederatedRooms.rooms(hs).pipeline.submit(new Input.RemoteEvent(leave, fake.serverName())));

        await("kim's device list is no longer cached", () -> cached(kim).isEmpty());
        askedAgain(bob, kim);
    }

    @Test
    void aRemoteUserIsNoLongerCachedWhenTheLastLocalUserLeaves() {
        TestUser bob = hs.registerUser("bob-weleave");
        String lee = fake.user("lee");
        String roomId = roomWithFakeMember(bob, lee);
        cache(bob, lee);

        ok(hs, bob, "POST", V3 + "/rooms/" + TestHomeserver.enc(roomId) + "/leave", json("{}"));

        await("lee's device list is no longer cached", () -> cached(lee).isEmpty());
        askedAgain(bob, lee);
    }

    // ---- helpers ----

    /** Makes the server cache {@code remote}'s device list (one device, OLD), answered from the cache. */
    private static void cache(TestUser bob, String remote) {
        fake.answer("/_matrix/federation/v1/user/devices/" + remote, devicesAnswer(remote, 1, "OLD"));
        long before = keyQueries();
        sendEdus(deviceListUpdate(remote, "OLD", 1, List.of()));
        await("the server cached " + remote, () -> !cached(remote).isEmpty());
        assertTrue(query(hs, bob, remote).path("device_keys").path(remote).has("OLD"));
        assertEquals(before, keyQueries(), "answered from the cache");
    }

    /** /keys/query for {@code remote} goes to their server, and its answer (one device, NEW) is what the client gets. */
    private static void askedAgain(TestUser bob, String remote) {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.putObject("device_keys").putObject(remote).set("NEW",
                devicesAnswer(remote, 2, "NEW").path("devices").path(0).path("keys"));
        fake.answer("/_matrix/federation/v1/user/keys/query", answer);
        long before = keyQueries();
        JsonNode devices = query(hs, bob, remote).path("device_keys").path(remote);
        assertEquals(before + 1, keyQueries(), "asked the remote server");
        assertTrue(devices.has("NEW"), devices::toString);
        assertFalse(devices.has("OLD"), "no stale keys: " + devices);
    }

    private static java.util.Map<String, RemoteDeviceListRepository.CachedList> cached(String userId) {
        return new RemoteDeviceListRepository(hs.homeserver().database().dataSource()).cached(List.of(userId));
    }

    private static long keyQueries() {
        return fake.requests().stream().filter("/_matrix/federation/v1/user/keys/query"::equals).count();
    }

    private static String roomWithFakeMember(TestUser bob, String member) {
        String roomId = ok(hs, bob, "POST", V3 + "/createRoom", json("{\"preset\":\"public_chat\"}"))
                .path("room_id").asText();
        Pdu join = FederatedRooms.remoteEvent(hs, roomId, member, "m.room.member", member,
                FederatedRooms.content("membership", "join"), fake.serverName(), fake.signingKey());
        FederatedRooms.accepted(FederatedRooms.rooms(hs).pipeline.submit(new Input.RemoteEvent(join, fake.serverName())));
        return roomId;
    }

    private static List<JsonNode> updatesOf(String userId) {
        List<JsonNode> found = new ArrayList<>();
        for (FakeRemoteServer.Transaction t : fake.transactions()) {
            for (JsonNode edu : t.body().path("edus")) {
                if ("m.device_list_update".equals(edu.path("edu_type").asText())
                        && userId.equals(edu.path("content").path("user_id").asText())) {
                    found.add(edu.path("content"));
                }
            }
        }
        return found;
    }

    private static int txn;

    private static void sendEdus(ObjectNode... edus) {
        HttpResponse<String> r = fake.request(hs, "PUT", "/_matrix/federation/v1/send/tracking-" + (++txn) + "-"
                + System.nanoTime(), fake.transactionOf(List.of(), List.of(edus)));
        assertEquals(200, r.statusCode(), r::body);
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }
}
