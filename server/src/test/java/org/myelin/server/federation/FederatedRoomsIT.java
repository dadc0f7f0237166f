package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.federation.MatrixClient.V3;
import static org.myelin.server.federation.MatrixClient.enc;
import static org.myelin.server.federation.MatrixClient.json;
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
    static String a;

    @BeforeAll
    static void start() {
        servers = ThreeServers.start();
        a = servers.a.serverName();
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

    @Test
    void typingAndReadReceiptsReachTheOtherServers() {
        MatrixClient typist = MatrixClient.register(servers.a, "typist");
        MatrixClient reader = MatrixClient.register(servers.b, "reader");
        String roomId = typist.createRoom("{\"preset\":\"public_chat\"}");
        reader.join(roomId, a);
        String message = typist.send(roomId, "read me");
        reader.awaitSync("the message", c -> c.bodies(roomId).contains("read me"));

        typist.ok("PUT", V3 + "/rooms/" + enc(roomId) + "/typing/" + enc(typist.userId()),
                json("{\"typing\":true,\"timeout\":30000}"));
        reader.awaitSync("the typist typing", c -> typing(c, roomId).contains(typist.userId()));
        typist.ok("PUT", V3 + "/rooms/" + enc(roomId) + "/typing/" + enc(typist.userId()), json("{\"typing\":false}"));
        reader.awaitSync("the typist stopping", c -> typing(c, roomId).isEmpty());

        reader.ok("POST", V3 + "/rooms/" + enc(roomId) + "/receipt/m.read/" + enc(message), json("{}"));
        typist.awaitSync("the reader's receipt", c -> c.ephemeral.getOrDefault(roomId, List.of()).stream()
                .anyMatch(e -> "m.receipt".equals(e.path("type").asText())
                        && e.path("content").path(message).path("m.read").has(reader.userId())));

        // A threaded receipt keeps its thread across servers (the EDU's data.thread_id).
        String root = typist.send(roomId, "a thread's root");
        String reply = typist.ok("PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/thread-reply",
                json("{\"body\":\"in the thread\",\"m.relates_to\":{\"rel_type\":\"m.thread\",\"event_id\":\""
                        + root + "\"}}")).path("event_id").asText();
        reader.awaitSync("the thread reply", c -> c.bodies(roomId).contains("in the thread"));
        reader.ok("POST", V3 + "/rooms/" + enc(roomId) + "/receipt/m.read/" + enc(reply),
                json("{\"thread_id\":\"" + root + "\"}"));
        typist.awaitSync("the reader's threaded receipt", c -> c.ephemeral.getOrDefault(roomId, List.of()).stream()
                .anyMatch(e -> "m.receipt".equals(e.path("type").asText()) && root.equals(e.path("content")
                        .path(reply).path("m.read").path(reader.userId()).path("thread_id").asText(null))));
    }

    @Test
    void presenceReachesTheServersSharingARoom() {
        MatrixClient away = MatrixClient.register(servers.a, "away");
        MatrixClient watcher = MatrixClient.register(servers.c, "watcher");
        String roomId = away.createRoom("{\"preset\":\"public_chat\"}");
        watcher.join(roomId, a);
        String status = V3 + "/presence/" + enc(away.userId()) + "/status";
        away.sync(0); // a user whose client does not sync at all is offline whatever it sets

        away.ok("PUT", status, json("{\"presence\":\"unavailable\",\"status_msg\":\"in a meeting\"}"));
        watcher.awaitSync("away's status", c -> c.presence.containsKey(away.userId())
                && "in a meeting".equals(c.presence.get(away.userId()).path("status_msg").asText()));
        assertEquals("unavailable", watcher.presence.get(away.userId()).path("presence").asText());
        JsonNode asSeenOnC = watcher.ok("GET", status, null);
        assertEquals("unavailable", asSeenOnC.path("presence").asText());
        assertEquals("in a meeting", asSeenOnC.path("status_msg").asText());

        away.ok("PUT", status, json("{\"presence\":\"offline\"}"));
        watcher.awaitSync("away going offline", c -> "offline".equals(c.presence.get(away.userId()).path("presence").asText()));
        assertTrue(!watcher.ok("GET", status, null).path("status_msg").isTextual(), "offline clears the message");
    }

    @Test
    void theUserDirectoryFindsRoomMatesOfOtherServersByTheirMemberEvent() {
        MatrixClient remote = MatrixClient.register(servers.a, "faraway");
        remote.ok("PUT", V3 + "/profile/" + enc(remote.userId()) + "/displayname", json("{\"displayname\":\"Far Away\"}"));
        MatrixClient local = MatrixClient.register(servers.b, "nearby");
        String roomId = remote.createRoom("{\"preset\":\"public_chat\"}");
        local.join(roomId, a);
        JsonNode found = local.ok("POST", V3 + "/user_directory/search", json("{\"search_term\":\"far away\"}"));
        assertEquals(1, found.path("results").size(), found.toString());
        assertEquals(remote.userId(), found.path("results").get(0).path("user_id").asText());
        assertEquals("Far Away", found.path("results").get(0).path("display_name").asText());
    }

    /** The users the room's latest typing notification names. */
    private static List<String> typing(MatrixClient client, String roomId) {
        List<JsonNode> typing = client.ephemeral.getOrDefault(roomId, List.of()).stream()
                .filter(e -> "m.typing".equals(e.path("type").asText())).toList();
        if (typing.isEmpty()) {
            return List.of();
        }
        List<String> users = new java.util.ArrayList<>();
        typing.getLast().path("content").path("user_ids").forEach(u -> users.add(u.asText()));
        return users;
    }

    @Test
    void aRemoteInviteReachesTheInviteesSyncAndIsAccepted() {
        MatrixClient dave = MatrixClient.register(servers.b, "dave");
        String roomId = alice.createRoom("{\"preset\":\"private_chat\",\"name\":\"Secret\"}");
        alice.invite(roomId, dave.userId());

        dave.awaitSync("the invite", c -> c.invites.containsKey(roomId));
        JsonNode inviteState = dave.invites.get(roomId);
        assertTrue(stream(inviteState).anyMatch(e -> "m.room.name".equals(e.path("type").asText())
                && "Secret".equals(e.path("content").path("name").asText())), inviteState.toString());
        assertTrue(stream(inviteState).anyMatch(e -> "m.room.member".equals(e.path("type").asText())
                && dave.userId().equals(e.path("state_key").asText())), inviteState.toString());

        assertEquals(roomId, dave.join(roomId));
        alice.awaitSync("dave joining", c -> c.sawMembership(roomId, dave.userId(), "join"));
        dave.awaitSync("the room joined", c -> c.joined.contains(roomId));
        dave.send(roomId, "thanks for having me");
        alice.awaitSync("dave's message", c -> c.bodies(roomId).contains("thanks for having me"));
    }

    @Test
    void aRemoteInviteCanBeRejected() {
        MatrixClient erin = MatrixClient.register(servers.c, "erin");
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        alice.invite(roomId, erin.userId());
        erin.awaitSync("the invite", c -> c.invites.containsKey(roomId));

        erin.leave(roomId);
        erin.awaitSync("the invite gone", c -> !c.invites.containsKey(roomId));
        alice.awaitSync("erin's rejection", c -> c.sawMembership(roomId, erin.userId(), "leave"));
        assertEquals("leave", alice.stateContent(roomId, "m.room.member", erin.userId()).path("membership").asText());
    }

    @Test
    void aRemoteUserLeavesIsKickedIsBannedAndCannotRejoin() {
        MatrixClient frank = MatrixClient.register(servers.b, "frank");
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        frank.join(roomId, a);
        carol.join(roomId, a);
        alice.awaitSync("frank joining", c -> c.sawMembership(roomId, frank.userId(), "join"));

        frank.leave(roomId);
        alice.awaitSync("frank leaving", c -> c.sawMembership(roomId, frank.userId(), "leave"));
        carol.awaitSync("frank leaving", c -> c.sawMembership(roomId, frank.userId(), "leave"));

        frank.join(roomId, a);
        alice.awaitSync("frank back", c -> memberships(c, roomId, frank.userId()).equals(
                List.of("join", "leave", "join")));
        alice.kick(roomId, frank.userId());
        frank.awaitSync("being kicked", c -> c.left.contains(roomId));
        carol.awaitSync("frank kicked", c -> memberships(c, roomId, frank.userId()).equals(
                List.of("join", "leave", "join", "leave")));

        frank.join(roomId, a);
        alice.awaitSync("frank back again", c -> memberships(c, roomId, frank.userId()).size() == 5);
        alice.ban(roomId, frank.userId());
        frank.awaitSync("being banned", c -> c.left.contains(roomId));
        carol.awaitSync("frank banned", c -> c.sawMembership(roomId, frank.userId(), "ban"));

        HttpResponse<String> refused = frank.tryJoin(roomId, a, servers.c.serverName());
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("M_FORBIDDEN", TestHomeserverJson.errcode(refused));
        assertEquals("ban", carol.stateContent(roomId, "m.room.member", frank.userId()).path("membership").asText());
    }

    private static List<String> memberships(MatrixClient client, String roomId, String userId) {
        return client.timelines.getOrDefault(roomId, List.of()).stream()
                .filter(e -> "m.room.member".equals(e.path("type").asText())
                        && userId.equals(e.path("state_key").asText()))
                .map(e -> e.path("content").path("membership").asText()).toList();
    }

    @Test
    void aKnockReachesTheRoomAndTheKnockerIsLetIn() {
        MatrixClient grace = MatrixClient.register(servers.c, "grace");
        String roomId = alice.createRoom("{\"preset\":\"private_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.join_rules\",\"state_key\":\"\",\"content\":{\"join_rule\":\"knock\"}}]}");
        grace.ok("POST", V3 + "/knock/" + enc(roomId) + "?via=" + enc(a), json("{\"reason\":\"let me in\"}"));

        grace.awaitSync("the knock", c -> c.knocks.containsKey(roomId));
        alice.awaitSync("grace knocking", c -> c.sawMembership(roomId, grace.userId(), "knock"));
        alice.invite(roomId, grace.userId());
        grace.awaitSync("the invite", c -> c.invites.containsKey(roomId));
        grace.join(roomId);
        alice.awaitSync("grace joining", c -> c.sawMembership(roomId, grace.userId(), "join"));
    }

    @Test
    void aRestrictedRoomLetsInMembersOfTheAllowedRoomOnly() {
        MatrixClient henry = MatrixClient.register(servers.b, "henry");
        MatrixClient ivy = MatrixClient.register(servers.c, "ivy");
        String space = alice.createRoom("{\"preset\":\"public_chat\"}");
        henry.join(space, a);
        String restricted = alice.createRoom("{\"preset\":\"private_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.join_rules\",\"state_key\":\"\",\"content\":{\"join_rule\":\"restricted\","
                + "\"allow\":[{\"type\":\"m.room_membership\",\"room_id\":\"" + space + "\"}]}}]}");

        assertEquals(restricted, henry.join(restricted, a));
        JsonNode join = alice.stateContent(restricted, "m.room.member", henry.userId());
        assertEquals("join", join.path("membership").asText());
        assertEquals(alice.userId(), join.path("join_authorised_via_users_server").asText());

        HttpResponse<String> refused = ivy.tryJoin(restricted, a);
        assertEquals(403, refused.statusCode(), refused.body());
    }

    @Test
    void aliasesTheRoomListAndProfilesAreAnsweredAcrossServers() throws Exception {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"visibility\":\"public\","
                + "\"room_alias_name\":\"listed\",\"name\":\"Listed\"}");
        String alias = "#listed:" + a;

        JsonNode resolved = bob.ok("GET", V3 + "/directory/room/" + enc(alias), null);
        assertEquals(roomId, resolved.path("room_id").asText());
        assertTrue(stream(resolved.path("servers")).anyMatch(s -> a.equals(s.asText())), resolved.toString());
        assertEquals(404, bob.call("GET", V3 + "/directory/room/" + enc("#nothing:" + a), null).statusCode());

        JsonNode list = bob.ok("GET", V3 + "/publicRooms?server=" + enc(a), null);
        assertTrue(stream(list.path("chunk")).anyMatch(r -> roomId.equals(r.path("room_id").asText())
                && "Listed".equals(r.path("name").asText())), list.toString());

        alice.ok("PUT", V3 + "/profile/" + enc(alice.userId()) + "/displayname", json("{\"displayname\":\"Alice A.\"}"));
        assertEquals("Alice A.", bob.ok("GET", V3 + "/profile/" + enc(alice.userId()), null)
                .path("displayname").asText());
        assertEquals("Alice A.", bob.ok("GET", V3 + "/profile/" + enc(alice.userId()) + "/displayname", null)
                .path("displayname").asText());
        assertEquals(404, bob.call("GET", V3 + "/profile/" + enc("@nobody:" + a), null).statusCode());
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    @Test
    void twoUsersOfOneServerJoiningARemoteRoomAtOnceAreBothIn() throws Exception {
        MatrixClient kim = MatrixClient.register(servers.b, "kim");
        MatrixClient lee = MatrixClient.register(servers.b, "lee");
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var first = threads.submit(() -> kim.join(roomId, a));
            var second = threads.submit(() -> lee.join(roomId, a));
            assertEquals(roomId, first.get());
            assertEquals(roomId, second.get());
        }
        alice.awaitSync("both joins", c -> c.sawMembership(roomId, kim.userId(), "join")
                && c.sawMembership(roomId, lee.userId(), "join"));
        kim.send(roomId, "kim here");
        alice.awaitSync("kim's message", c -> c.bodies(roomId).contains("kim here"));
        ThreeServers.await("the same state on both servers", () -> alice.roomState(roomId).equals(kim.roomState(roomId)),
                () -> alice.roomState(roomId) + " / " + kim.roomState(roomId));
        assertEquals("join", kim.stateContent(roomId, "m.room.member", lee.userId()).path("membership").asText());
    }
}
