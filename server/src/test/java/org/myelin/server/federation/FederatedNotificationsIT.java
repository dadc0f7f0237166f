package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.FederatedRooms.accepted;
import static org.myelin.server.federation.FederatedRooms.content;
import static org.myelin.server.federation.FederatedRooms.rooms;

/** Push actions of events that come from another server through {@code /send}: a remote mention notifies a local user. */
class FederatedNotificationsIT {

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

    @Test
    void aRemoteMentionHighlightsForTheLocalUser() {
        TestUser alice = hs.registerUser("alice");
        TestUser bob = hs.registerUser("bob");
        String fred = fake.user("fred");
        String roomId = hs.expect(200, alice, "POST", "/_matrix/client/v3/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        hs.expect(200, bob, "POST", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(roomId) + "/join", "{}");
        Pdu join = FederatedRooms.remoteEvent(hs, roomId, fred, "m.room.member", fred, content("membership", "join"),
                fake.serverName(), fake.signingKey());
        accepted(rooms(hs).pipeline.submit(new Input.RemoteEvent(join, fake.serverName())));

        ObjectNode mention = content("msgtype", "m.text", "body", "bob, from afar");
        mention.putObject("m.mentions").putArray("user_ids").add(bob.userId());
        Pdu message = FederatedRooms.remoteEvent(hs, roomId, fred, "m.room.message", null, mention,
                fake.serverName(), fake.signingKey());
        JsonNode answer = TestHomeserver.json(fake.request(hs, "PUT", "/_matrix/federation/v1/send/mention",
                fake.transactionOf(List.of(message.jsonCopy()), List.of())));
        assertEquals("{}", answer.path("pdus").path(message.eventId()).toString(), answer::toString);

        JsonNode bobs = hs.expect(200, bob, "GET", "/_matrix/client/v3/notifications?only=highlight", null);
        assertEquals(1, bobs.path("notifications").size(), bobs::toString);
        assertEquals(message.eventId(), bobs.at("/notifications/0/event/event_id").asText());
        assertEquals(fred, bobs.at("/notifications/0/event/sender").asText());
        JsonNode alices = hs.expect(200, alice, "GET", "/_matrix/client/v3/notifications", null);
        assertTrue(alices.path("notifications").toString().contains(message.eventId()),
                "a message notifies every local member: " + alices);
    }
}
