package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.sliding.SlidingClient.V3;
import static org.myelin.server.client.sync.sliding.SlidingClient.enc;
import static org.myelin.server.client.sync.sliding.SlidingClient.listBody;
import static org.myelin.server.client.sync.sliding.SlidingClient.obj;

/**
 * Sliding sync's extensions: {@code to_device} (messages after {@code since}, those before it
 * deleted), {@code e2ee} (key counts, device list changes), {@code account_data} (global and of
 * the rooms in view), {@code receipts} and {@code typing} (of the rooms in view).
 */
class SlidingSyncExtensionsIT {

    static TestHomeserver hs;
    static SlidingClient client;
    static final AtomicInteger COUNTER = new AtomicInteger();
    static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SlidingClient(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static TestUser user(String name) {
        return hs.registerUser(name + "-" + COUNTER.incrementAndGet());
    }

    /** A request with one list over the first ten rooms and {@code extension} enabled with {@code config}. */
    static ObjectNode withExtension(String extension, String config) {
        ObjectNode body = listBody("l", 9, 1, "[]");
        ObjectNode ext = obj(config).put("enabled", true);
        body.putObject("extensions").set(extension, ext);
        return body;
    }

    void sendToDevice(TestUser from, TestUser to, String text) {
        ObjectNode body = obj();
        body.putObject("messages").putObject(to.userId()).putObject(to.deviceId()).put("text", text);
        client.ok(from, "PUT", V3 + "/sendToDevice/org.example.note/t" + COUNTER.incrementAndGet(), body);
    }

    static List<String> texts(JsonNode toDevice) {
        List<String> texts = new ArrayList<>();
        toDevice.path("events").forEach(e -> texts.add(e.path("content").path("text").asText()));
        return texts;
    }

    @Test
    void toDeviceDeliversMessagesAfterSinceAndDeletesThoseBefore() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        sendToDevice(alice, bob, "one");
        sendToDevice(alice, bob, "two");

        JsonNode first = client.sync(bob, null, withExtension("to_device", "{}")).path("extensions").path("to_device");
        assertEquals(List.of("one", "two"), texts(first), first::toString);
        assertEquals(alice.userId(), first.path("events").path(0).path("sender").asText());
        assertEquals("org.example.note", first.path("events").path(0).path("type").asText());
        String since = first.path("next_batch").asText();

        sendToDevice(alice, bob, "three");
        ObjectNode next = withExtension("to_device", "{\"since\": \"" + since + "\"}");
        JsonNode second = client.sync(bob, null, next).path("extensions").path("to_device");
        assertEquals(List.of("three"), texts(second), second::toString);

        // Coming back with the first since again: "one" and "two" were deleted as delivered.
        JsonNode again = client.sync(bob, null, withExtension("to_device", "{\"since\": \"0\"}"))
                .path("extensions").path("to_device");
        assertEquals(List.of("three"), texts(again), again::toString);

        JsonNode limited = client.sync(bob, null, withExtension("to_device", "{\"since\": \"0\", \"limit\": 0}"))
                .path("extensions").path("to_device");
        assertTrue(limited.path("events").isEmpty(), limited::toString);
    }

    @Test
    void toDeviceWakesAWaitingRequest() throws Exception {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        ObjectNode body = withExtension("to_device", "{}");
        JsonNode first = client.sync(bob, null, body);
        ObjectNode next = withExtension("to_device", "{\"since\": \""
                + first.path("extensions").path("to_device").path("next_batch").asText() + "\"}");
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> client.request(bob, first.path("pos").asText(), 30_000, next));
        Thread.sleep(300);
        sendToDevice(alice, bob, "wake");
        JsonNode response = TestHomeserver.json(waiting.get(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(List.of("wake"), texts(response.path("extensions").path("to_device")), response::toString);
    }

    @Test
    void e2eeGivesKeyCountsAndDeviceListChanges() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        client.sharedRoom(alice, bob);
        SigningKey aliceKey = SigningKey.fromSeed(alice.deviceId(), random());
        ObjectNode upload = obj();
        ObjectNode otks = upload.putObject("one_time_keys");
        for (int i = 0; i < 3; i++) {
            otks.set("signed_curve25519:AAAA" + i, JsonSigning.sign(obj().put("key", UnpaddedBase64.encode(random())),
                    alice.userId(), aliceKey));
        }
        client.ok(alice, "POST", V3 + "/keys/upload", upload);

        ObjectNode body = withExtension("e2ee", "{}");
        JsonNode first = client.sync(alice, null, body);
        JsonNode e2ee = first.path("extensions").path("e2ee");
        assertEquals(3, e2ee.path("device_one_time_keys_count").path("signed_curve25519").asInt(), first::toString);
        assertTrue(e2ee.path("device_unused_fallback_key_types").isArray(), first::toString);
        assertFalse(e2ee.has("device_lists"), "a fresh connection has no device list changes");

        // bob's new device keys: alice, who shares a room with him, must look again.
        SigningKey bobKey = SigningKey.fromSeed(bob.deviceId(), random());
        ObjectNode keys = obj().put("user_id", bob.userId()).put("device_id", bob.deviceId());
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
        keys.putObject("keys").put("curve25519:" + bob.deviceId(), UnpaddedBase64.encode(random()))
                .put(bobKey.keyId(), bobKey.verifyKey().publicKeyBase64());
        ObjectNode bobUpload = obj();
        bobUpload.set("device_keys", JsonSigning.sign(keys, bob.userId(), bobKey));
        client.ok(bob, "POST", V3 + "/keys/upload", bobUpload);

        JsonNode second = client.sync(alice, first.path("pos").asText(), body);
        JsonNode changed = second.path("extensions").path("e2ee").path("device_lists").path("changed");
        assertTrue(changed.toString().contains(bob.userId()), second::toString);
    }

    @Test
    void accountDataGivesGlobalAndRoomEntries() {
        TestUser alice = user("alice");
        String inView = client.createRoom(alice, "{}");
        String user = V3 + "/user/" + enc(alice.userId());
        client.ok(alice, "PUT", user + "/account_data/org.example.global", obj().put("v", 1));
        client.ok(alice, "PUT", user + "/rooms/" + enc(inView) + "/account_data/org.example.room", obj().put("v", 2));
        ObjectNode body = withExtension("account_data", "{}");

        JsonNode first = client.sync(alice, null, body);
        JsonNode ext = first.path("extensions").path("account_data");
        assertTrue(types(ext.path("global")).containsAll(List.of("org.example.global", "m.push_rules")), ext::toString);
        assertEquals(List.of("org.example.room"), types(ext.path("rooms").path(inView)), ext::toString);
        assertEquals(2, ext.path("rooms").path(inView).path(0).path("content").path("v").asInt());

        client.ok(alice, "PUT", user + "/rooms/" + enc(inView) + "/account_data/org.example.room", obj().put("v", 3));
        JsonNode second = client.sync(alice, first.path("pos").asText(), body);
        JsonNode next = second.path("extensions").path("account_data");
        assertEquals(List.of(), types(next.path("global")), "unchanged global account data is not sent again");
        assertEquals(3, next.path("rooms").path(inView).path(0).path("content").path("v").asInt(), second::toString);

        ObjectNode none = withExtension("account_data", "{\"lists\": [], \"rooms\": []}");
        client.ok(alice, "PUT", user + "/rooms/" + enc(inView) + "/account_data/org.example.room", obj().put("v", 4));
        JsonNode third = client.sync(alice, second.path("pos").asText(), none);
        assertTrue(third.path("extensions").path("account_data").path("rooms").isEmpty(), third::toString);
    }

    @Test
    void receiptsOfRoomsInView() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String roomId = client.sharedRoom(alice, bob);
        String eventId = client.send(alice, roomId, "read me");
        client.ok(bob, "POST", SlidingClient.room(roomId) + "/receipt/m.read/" + enc(eventId), obj());
        ObjectNode body = withExtension("receipts", "{}");

        JsonNode first = client.sync(alice, null, body);
        JsonNode receipt = first.path("extensions").path("receipts").path("rooms").path(roomId);
        assertEquals("m.receipt", receipt.path("type").asText(), first::toString);
        assertTrue(receipt.path("content").path(eventId).path("m.read").has(bob.userId()), first::toString);

        String second = client.send(alice, roomId, "and me");
        client.ok(bob, "POST", SlidingClient.room(roomId) + "/receipt/m.read/" + enc(second), obj());
        JsonNode next = client.sync(alice, first.path("pos").asText(), body);
        JsonNode nextReceipt = next.path("extensions").path("receipts").path("rooms").path(roomId);
        assertTrue(nextReceipt.path("content").path(second).path("m.read").has(bob.userId()), next::toString);
        assertFalse(nextReceipt.path("content").has(eventId), "receipts already sent are not sent again");

        client.ok(bob, "POST", SlidingClient.room(roomId) + "/receipt/m.read.private/" + enc(second), obj());
        JsonNode third = client.sync(alice, next.path("pos").asText(), body);
        assertFalse(third.path("extensions").path("receipts").path("rooms").has(roomId),
                "bob's private receipt is his own");
    }

    @Test
    void threadedReceiptsCarryTheirThread() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String roomId = client.sharedRoom(alice, bob);
        String root = client.send(alice, roomId, "root");
        ObjectNode reply = obj().put("msgtype", "m.text").put("body", "in the thread");
        reply.putObject("m.relates_to").put("rel_type", "m.thread").put("event_id", root);
        String replyId = client.ok(alice, "PUT", SlidingClient.room(roomId) + "/send/m.room.message/thread-"
                + COUNTER.incrementAndGet(), reply).path("event_id").asText();
        String main = client.send(alice, roomId, "main");
        client.ok(bob, "POST", SlidingClient.room(roomId) + "/receipt/m.read/" + enc(replyId),
                obj().put("thread_id", root));
        client.ok(bob, "POST", SlidingClient.room(roomId) + "/receipt/m.read/" + enc(main),
                obj().put("thread_id", "main"));

        ObjectNode body = withExtension("receipts", "{}");
        ((ObjectNode) body.path("lists").path("l")).put("timeline_limit", 5);
        JsonNode first = client.sync(alice, null, body);
        JsonNode content = first.path("extensions").path("receipts").path("rooms").path(roomId).path("content");
        assertEquals(root, content.path(replyId).path("m.read").path(bob.userId()).path("thread_id").asText(),
                first::toString);
        assertEquals("main", content.path(main).path("m.read").path(bob.userId()).path("thread_id").asText(),
                first::toString);

        reply.put("body", "again in the thread");
        String second = client.ok(alice, "PUT", SlidingClient.room(roomId) + "/send/m.room.message/thread-"
                + COUNTER.incrementAndGet(), reply).path("event_id").asText();
        client.ok(bob, "POST", SlidingClient.room(roomId) + "/receipt/m.read/" + enc(second),
                obj().put("thread_id", root));
        JsonNode next = client.sync(alice, first.path("pos").asText(), body);
        content = next.path("extensions").path("receipts").path("rooms").path(roomId).path("content");
        assertEquals(root, content.path(second).path("m.read").path(bob.userId()).path("thread_id").asText(),
                next::toString);
        assertFalse(content.has(main), "the main timeline's receipt was sent already: " + next);
    }

    @Test
    void typingOfRoomsInView() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String roomId = client.sharedRoom(alice, bob);
        ObjectNode body = withExtension("typing", "{}");
        JsonNode first = client.sync(alice, null, body);

        client.ok(bob, "PUT", SlidingClient.room(roomId) + "/typing/" + enc(bob.userId()),
                obj().put("typing", true).put("timeout", 30_000));
        JsonNode second = client.sync(alice, first.path("pos").asText(), body);
        JsonNode typing = second.path("extensions").path("typing").path("rooms").path(roomId);
        assertEquals("m.typing", typing.path("type").asText(), second::toString);
        assertEquals(bob.userId(), typing.path("content").path("user_ids").path(0).asText());

        ObjectNode elsewhere = withExtension("typing", "{\"lists\": [\"other\"], \"rooms\": []}");
        JsonNode none = client.sync(alice, first.path("pos").asText(), elsewhere);
        assertTrue(none.path("extensions").path("typing").path("rooms").isEmpty(), none::toString);
    }

    static List<String> types(JsonNode events) {
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.path("type").asText()));
        return types;
    }

    static byte[] random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
