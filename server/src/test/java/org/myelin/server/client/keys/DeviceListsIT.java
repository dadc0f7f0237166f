package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.keys.KeysClient.V3;
import static org.myelin.server.client.keys.KeysClient.strings;

/**
 * Device list tracking (client-server API, "Tracking the device list for a user"): /sync's
 * {@code device_lists} and {@code GET /keys/changes}.
 */
class DeviceListsIT {

    static TestHomeserver hs;
    static KeysClient client;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new KeysClient(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String sharedRoom(TestUser a, TestUser b) {
        String roomId = client.createRoom(a);
        client.invite(a, roomId, b);
        client.join(b, roomId);
        return roomId;
    }

    private static JsonNode changes(TestUser user, String from) {
        String to = client.sync(user, null).path("next_batch").asText();
        return client.ok(user, "GET", V3 + "/keys/changes?from=" + TestHomeserver.enc(from) + "&to="
                + TestHomeserver.enc(to), null);
    }

    @Test
    void aRoomMateSeesANewDevicesKeys() {
        TestUser alice = hs.registerUser("alice-newdevice");
        TestUser bob = hs.registerUser("bob-newdevice");
        TestUser stranger = hs.registerUser("stranger-newdevice");
        sharedRoom(alice, bob);
        String bobSince = client.sync(bob, null).path("next_batch").asText();
        String strangerSince = client.sync(stranger, null).path("next_batch").asText();

        TestUser alicesPhone = hs.login(alice);
        client.upload(alicesPhone, KeysIT.deviceKeysBody(new TestDevice(alicesPhone)));

        JsonNode sync = client.sync(bob, bobSince);
        assertEquals(List.of(alice.userId()), strings(sync.path("device_lists").path("changed")), sync::toString);
        assertEquals(List.of(alice.userId()), strings(changes(bob, bobSince).path("changed")));
        assertFalse(strings(client.sync(stranger, strangerSince).path("device_lists").path("changed"))
                .contains(alice.userId()), "only those sharing a room");
        JsonNode next = client.sync(bob, sync.path("next_batch").asText());
        assertEquals(List.of(), strings(next.path("device_lists").path("changed")), "reported once");
    }

    @Test
    void aLongPollWakesForADeviceListChange() throws Exception {
        TestUser alice = hs.registerUser("alice-wake");
        TestUser bob = hs.registerUser("bob-wake");
        sharedRoom(alice, bob);
        String since = client.sync(bob, null).path("next_batch").asText();
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.ok(bob, "GET",
                V3 + "/sync?timeout=30000&since=" + TestHomeserver.enc(since), null));
        Thread.sleep(300);
        client.upload(alice, KeysIT.deviceKeysBody(new TestDevice(alice)));
        JsonNode sync = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(strings(sync.path("device_lists").path("changed")).contains(alice.userId()), sync::toString);
    }

    @Test
    void someoneWhoJoinsIsChangedAndSomeoneWhoLeavesIsLeft() {
        TestUser alice = hs.registerUser("alice-left");
        TestUser bob = hs.registerUser("bob-left");
        String roomId = client.createRoom(alice);
        client.invite(alice, roomId, bob);
        String beforeJoin = client.sync(alice, null).path("next_batch").asText();
        client.join(bob, roomId);
        JsonNode joined = client.sync(alice, beforeJoin);
        assertTrue(strings(joined.path("device_lists").path("changed")).contains(bob.userId()), joined::toString);

        String bobSince = client.sync(bob, null).path("next_batch").asText();
        String aliceSince = joined.path("next_batch").asText();
        client.leave(bob, roomId);
        JsonNode aliceSync = client.sync(alice, aliceSince);
        assertEquals(List.of(bob.userId()), strings(aliceSync.path("device_lists").path("left")), aliceSync::toString);
        assertEquals(List.of(bob.userId()), strings(changes(alice, aliceSince).path("left")));
        JsonNode bobSync = client.sync(bob, bobSince);
        assertEquals(List.of(alice.userId()), strings(bobSync.path("device_lists").path("left")), bobSync::toString);
    }

    @Test
    void leavingOneOfTwoSharedRoomsIsNotLeft() {
        TestUser alice = hs.registerUser("alice-tworooms");
        TestUser bob = hs.registerUser("bob-tworooms");
        String first = sharedRoom(alice, bob);
        sharedRoom(alice, bob);
        String since = client.sync(alice, null).path("next_batch").asText();
        client.leave(bob, first);
        JsonNode sync = client.sync(alice, since);
        assertEquals(List.of(), strings(sync.path("device_lists").path("left")), sync::toString);
    }

    @Test
    void aDeletedDeviceIsAChange() {
        TestUser alice = hs.registerUser("alice-deleted");
        TestUser bob = hs.registerUser("bob-deleted");
        sharedRoom(alice, bob);
        TestUser phone = hs.login(alice);
        client.upload(phone, KeysIT.deviceKeysBody(new TestDevice(phone)));
        String since = client.sync(bob, null).path("next_batch").asText();
        client.ok(phone, "POST", V3 + "/logout", KeysClient.obj());
        JsonNode sync = client.sync(bob, since);
        assertEquals(List.of(alice.userId()), strings(sync.path("device_lists").path("changed")), sync::toString);
    }

    @Test
    void renamingADeviceIsAChange() {
        TestUser alice = hs.registerUser("alice-renamed");
        TestUser bob = hs.registerUser("bob-renamed");
        sharedRoom(alice, bob);
        client.upload(alice, KeysIT.deviceKeysBody(new TestDevice(alice)));
        String since = client.sync(bob, null).path("next_batch").asText();
        client.ok(alice, "PUT", V3 + "/devices/" + TestHomeserver.enc(alice.deviceId()),
                KeysClient.obj().put("display_name", "Alice's laptop"));
        JsonNode sync = client.sync(bob, since);
        assertEquals(List.of(alice.userId()), strings(sync.path("device_lists").path("changed")), sync::toString);

        String after = sync.path("next_batch").asText();
        client.ok(alice, "PUT", V3 + "/devices/" + TestHomeserver.enc(alice.deviceId()),
                KeysClient.obj().put("display_name", "Alice's laptop"));
        assertEquals(List.of(), strings(client.sync(bob, after).path("device_lists").path("changed")),
                "the same name again is no change");
    }

    @Test
    void keysChangesNeedsAToken() {
        TestUser alice = hs.registerUser("alice-changes");
        client.fails(400, "M_MISSING_PARAM", alice, "GET", V3 + "/keys/changes", null);
        client.fails(400, "M_INVALID_PARAM", alice, "GET", V3 + "/keys/changes?from=garbage", null);
    }
}
