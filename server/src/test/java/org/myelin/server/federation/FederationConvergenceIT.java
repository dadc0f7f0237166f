package org.myelin.server.federation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rooms whose servers disagree for a while: a server offline while the room goes on, catching up
 * after its restart (same data directory, database and port); concurrent state changes on
 * different servers (forks, made certain by cutting federation between them while they happen);
 * a partition with conflicting changes on both sides. Every server must end with the same
 * current state ({@code GET /rooms/{roomId}/state}) and every message.
 */
class FederationConvergenceIT {

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

    @AfterEach
    void heal() {
        servers.heal();
    }

    @AfterAll
    static void stop() {
        servers.heal();
        servers.close();
    }

    /** A public room of alice's (its creator: all powers) with bob and carol in it, both at power level 50. */
    private static String roomOfThree() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"power_level_content_override\":{\"users\":{"
                + "\"" + bob.userId() + "\":50,\"" + carol.userId() + "\":50}}}");
        bob.join(roomId, a);
        carol.join(roomId, a);
        for (MatrixClient c : List.of(alice, bob, carol)) {
            c.awaitSync("everyone in the room", x -> x.sawMembership(roomId, carol.userId(), "join"));
        }
        return roomId;
    }

    /** Waits until the three servers report the same current state of the room; returns it. */
    private static Map<String, String> awaitSameState(String roomId, MatrixClient... clients) {
        List<Map<String, String>> last = new ArrayList<>();
        ThreeServers.await("the same state of " + roomId + " on every server", () -> {
            last.clear();
            for (MatrixClient c : clients) {
                last.add(c.roomState(roomId));
            }
            return last.stream().distinct().count() == 1;
        }, () -> last + RoomDiagnostics.describe(roomId, servers.all()));
        return last.getFirst();
    }

    /** After a heal, each side speaks once, so that every server builds on both sides of the fork. */
    private static void mergeForks(String roomId, MatrixClient... speakers) {
        for (MatrixClient s : speakers) {
            String body = "merge from " + s.userId();
            s.send(roomId, body);
            for (MatrixClient c : List.of(alice, bob, carol)) {
                c.awaitSync(body, x -> x.bodies(roomId).contains(body));
            }
        }
    }

    private static String membership(MatrixClient reader, String roomId, String userId) {
        var content = reader.stateContent(roomId, "m.room.member", userId);
        return content == null ? null : content.path("membership").asText();
    }

    @Test
    void aServerThatWasOfflineCatchesUpAfterItsRestart() {
        String roomId = roomOfThree();
        servers.c.stop();
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            sent.add("while C was away " + i);
            (i % 2 == 0 ? bob : alice).send(roomId, "while C was away " + i);
        }
        alice.setState(roomId, "m.room.topic", "", "{\"topic\":\"changed while C was away\"}");

        servers.c.restart();
        carol.awaitSync("everything said while C was away", c -> c.bodies(roomId).containsAll(sent));
        // Each sender's messages in the order sent (alice's and bob's may interleave either way:
        // they were sent at once on two servers).
        for (int first : new int[] {1, 2}) {
            List<String> bySender = sent.stream().filter(b -> (b.charAt(b.length() - 1) - '0') % 2 == first % 2).toList();
            assertEquals(bySender, carol.bodies(roomId).stream().filter(bySender::contains).toList());
        }
        Map<String, String> state = awaitSameState(roomId, alice, bob, carol);
        assertEquals("changed while C was away",
                carol.stateContent(roomId, "m.room.topic", "").path("topic").asText(), state.toString());
        // And C takes part again at once.
        carol.send(roomId, "back");
        alice.awaitSync("carol back", c -> c.bodies(roomId).contains("back"));
    }

    @Test
    void twoTopicChangesMadeAtOnceOnTwoServersConverge() {
        String roomId = roomOfThree();
        servers.isolate(servers.b);
        alice.setState(roomId, "m.room.topic", "", "{\"topic\":\"alice's topic\"}");
        bob.setState(roomId, "m.room.topic", "", "{\"topic\":\"bob's topic\"}");
        servers.heal();

        mergeForks(roomId, alice, bob);
        awaitSameState(roomId, alice, bob, carol);
        String topic = carol.stateContent(roomId, "m.room.topic", "").path("topic").asText();
        assertEquals(topic, alice.stateContent(roomId, "m.room.topic", "").path("topic").asText());
        assertEquals(topic, bob.stateContent(roomId, "m.room.topic", "").path("topic").asText());
    }

    @Test
    void aPowerLevelChangeRacingAKickConverges() {
        String roomId = roomOfThree();
        MatrixClient victim = MatrixClient.register(servers.c, "victim");
        victim.join(roomId, a);
        bob.awaitSync("the victim in the room", c -> c.sawMembership(roomId, victim.userId(), "join"));
        servers.isolate(servers.b);
        // alice takes bob's power away while bob, who still has it on his side, kicks the victim.
        alice.setState(roomId, "m.room.power_levels", "", "{\"users\":{\"" + carol.userId() + "\":50},"
                + "\"kick\":50,\"ban\":50,\"state_default\":50}");
        bob.kick(roomId, victim.userId());
        servers.heal();

        mergeForks(roomId, alice, carol);
        awaitSameState(roomId, alice, bob, carol);
        // State resolution applies the power change of the more powerful sender first: the kick
        // then lacks its power, so the victim stays.
        for (MatrixClient reader : List.of(alice, bob, carol)) {
            assertEquals("join", membership(reader, roomId, victim.userId()), reader.userId());
        }
    }

    @Test
    void aBanRacingAJoinConverges() {
        String roomId = roomOfThree();
        MatrixClient dan = MatrixClient.register(servers.b, "dan");
        servers.isolate(servers.a);
        alice.ban(roomId, dan.userId());
        dan.join(roomId);
        servers.heal();

        mergeForks(roomId, alice, bob);
        awaitSameState(roomId, alice, bob, carol);
        for (MatrixClient reader : List.of(alice, bob, carol)) {
            assertEquals("ban", membership(reader, roomId, dan.userId()), reader.userId());
        }
    }

    @Test
    void aPartitionWithConflictingChangesOnBothSidesConvergesWhenHealed() {
        String roomId = roomOfThree();
        servers.isolate(servers.c);
        List<String> sideAb = List.of("ab 1", "ab 2", "ab 3");
        List<String> sideC = List.of("c 1", "c 2");
        // Each message is seen on its side before the next is sent: one order per side.
        alice.setState(roomId, "m.room.name", "", "{\"name\":\"named on A\"}");
        alice.send(roomId, "ab 1");
        carol.setState(roomId, "m.room.topic", "", "{\"topic\":\"topic from C\"}");
        carol.setState(roomId, "m.room.name", "", "{\"name\":\"named on C\"}");
        carol.send(roomId, "c 1");
        bob.awaitSync("ab 1", c -> c.bodies(roomId).contains("ab 1"));
        bob.setState(roomId, "m.room.topic", "", "{\"topic\":\"topic from B\"}");
        bob.send(roomId, "ab 2");
        alice.awaitSync("ab 2", c -> c.bodies(roomId).contains("ab 2"));
        alice.send(roomId, "ab 3");
        carol.send(roomId, "c 2");
        bob.awaitSync("A's side", c -> c.bodies(roomId).containsAll(sideAb));
        servers.heal();

        for (MatrixClient reader : List.of(alice, bob, carol)) {
            reader.awaitSync("both sides' messages", c -> c.bodies(roomId).containsAll(sideAb)
                    && c.bodies(roomId).containsAll(sideC));
            List<String> seen = reader.bodies(roomId);
            assertEquals(sideAb, seen.stream().filter(sideAb::contains).toList(), reader.userId());
            assertEquals(sideC, seen.stream().filter(sideC::contains).toList(), reader.userId());
        }
        mergeForks(roomId, alice, carol);
        awaitSameState(roomId, alice, bob, carol);
    }
}
