package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.federation.FederatedRooms.accepted;
import static org.myelin.server.federation.FederatedRooms.await;
import static org.myelin.server.federation.FederatedRooms.content;
import static org.myelin.server.federation.FederatedRooms.rooms;

/**
 * Client-server API, "Guest Access", server behaviour: when a room's {@code m.room.guest_access}
 * stops being {@code can_join}, the server sets the membership of its guests in the room to
 * {@code leave}, whether the change was made here or came from another server.
 */
class GuestAccessIT {

    static TestHomeserver hs;
    static FakeRemoteServer fake;
    static TestUser alice;
    static String fred;

    @BeforeAll
    static void start() {
        hs = TestHomeserver.builder().configure(c -> c.withRegistration(
                new HomeserverConfig.Registration(true, true, false, true, null))).start();
        fake = FakeRemoteServer.start();
        alice = hs.registerUser("alice");
        fred = fake.user("fred");
    }

    @AfterAll
    static void stop() {
        fake.close();
        hs.close();
    }

    /** A public room guests may join, with alice, bob (a full user) and a guest in it. */
    private static Room roomWithAGuest() {
        String roomId = hs.expect(200, alice, "POST", "/_matrix/client/v3/createRoom", "{\"preset\":\"public_chat\","
                + "\"initial_state\":[{\"type\":\"m.room.guest_access\",\"state_key\":\"\","
                + "\"content\":{\"guest_access\":\"can_join\"}}]}").path("room_id").asText();
        JsonNode registered = TestHomeserver.json(hs.request("POST", "/_matrix/client/v3/register?kind=guest", "{}"));
        TestUser guest = new TestUser(registered.path("user_id").asText(), registered.path("device_id").asText(),
                registered.path("access_token").asText(), null);
        TestUser bob = hs.registerUser("bob" + System.nanoTime());
        for (TestUser member : List.of(guest, bob)) {
            hs.expect(200, member, "POST", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(roomId) + "/join", "{}");
        }
        return new Room(roomId, guest, bob);
    }

    private record Room(String id, TestUser guest, TestUser bob) {
    }

    private static JsonNode member(Room room, TestUser user) {
        return hs.expect(200, alice, "GET", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(room.id())
                + "/state/m.room.member/" + TestHomeserver.enc(user.userId()) + "?format=event", null);
    }

    private static void assertGuestLeft(Room room) {
        await("the guest's leave", () -> member(room, room.guest()).path("content").path("membership").asText()
                .equals("leave"));
        JsonNode leave = member(room, room.guest());
        assertEquals(room.guest().userId(), leave.path("sender").asText(), "the guest leaves, as in Synapse");
        assertEquals("join", member(room, room.bob()).path("content").path("membership").asText(),
                "members who are not guests stay");
    }

    @Test
    void revokingGuestAccessHereMakesTheGuestsLeave() {
        Room room = roomWithAGuest();
        hs.expect(200, alice, "PUT", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(room.id())
                + "/state/m.room.guest_access/", "{\"guest_access\":\"forbidden\"}");
        assertGuestLeft(room);
    }

    @Test
    void revokingGuestAccessFromAnotherServerMakesOurGuestsLeave() {
        Room room = roomWithAGuest();
        Pdu join = FederatedRooms.remoteEvent(hs, room.id(), fred, "m.room.member", fred,
                content("membership", "join"), fake.serverName(), fake.signingKey());
        accepted(rooms(hs).pipeline.submit(new Input.RemoteEvent(join, fake.serverName())));
        ObjectNode levels = hs.expect(200, alice, "GET", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(room.id())
                + "/state/m.room.power_levels/", null).deepCopy();
        ((ObjectNode) levels.path("users")).put(fred, 100);
        hs.expect(200, alice, "PUT", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(room.id())
                + "/state/m.room.power_levels/", levels.toString());

        Pdu revoke = FederatedRooms.remoteEvent(hs, room.id(), fred, "m.room.guest_access", "",
                content("guest_access", "forbidden"), fake.serverName(), fake.signingKey());
        JsonNode answer = TestHomeserver.json(fake.request(hs, "PUT", "/_matrix/federation/v1/send/guests",
                fake.transactionOf(List.of(revoke.jsonCopy()), List.of())));
        assertEquals("{}", answer.path("pdus").path(revoke.eventId()).toString(), answer::toString);
        assertGuestLeft(room);
    }
}
