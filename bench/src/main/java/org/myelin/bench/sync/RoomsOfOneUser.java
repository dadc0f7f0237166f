package org.myelin.bench.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.e2ee.HttpPool;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.MatrixHttp;
import org.myelin.server.testing.TestHomeserver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A user in many rooms, made as clients make them, through the services the client-server API
 * calls ({@link BulkRooms}): the user creates each room (a named private chat inviting the other
 * members, who join; or, without invites, a named public one they join); then one message per
 * room, from one of its members, in a shuffled order, so that the rooms' bump stamps are not their
 * creation order.
 */
final class RoomsOfOneUser {

    /** A registered user's id and access token. */
    record Account(String userId, String token) {
    }

    final Account user;
    final List<String> rooms;

    private RoomsOfOneUser(Account user, List<String> rooms) {
        this.user = user;
        this.rooms = rooms;
    }

    /**
     * {@code prefix}'s user in {@code count} rooms of {@code members} members each (the user
     * included, the same others in every room); {@code invite}: private chats the others are
     * invited to, else public rooms they join uninvited.
     */
    static RoomsOfOneUser seed(TestHomeserver hs, Report report, String prefix, int count, int members, boolean invite) {
        MatrixHttp http = new MatrixHttp("http://127.0.0.1:" + hs.clientPort());
        BulkRooms.Member user = BulkRooms.register(http, prefix);
        List<BulkRooms.Member> others = BulkRooms.register(http, prefix + "-m", members - 1);
        BulkRooms bulk = new BulkRooms(hs, BulkRooms.PARALLEL);
        SeedProgress progress = new SeedProgress(report, (long) count * others.size());
        List<String> rooms = bulk.make(count, i -> new BulkRooms.Room(user, invite ? "private_chat" : "public_chat",
                "room " + i, invite ? others : List.of(), others), progress::joined);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(count));
        BulkRooms.inParallel(count, BulkRooms.PARALLEL, k -> {
            int i = order.get(k);
            BulkRooms.Member sender = others.isEmpty() ? user : others.get(i % others.size());
            return bulk.send(sender, rooms.get(i), "message " + i);
        });
        return new RoomsOfOneUser(new Account(user.userId(), user.accessToken()), rooms);
    }

    static String send(HttpPool http, Account sender, String roomId, String body) {
        ObjectNode content = HttpPool.JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
        return http.ok("PUT", HttpPool.V3 + "/rooms/" + HttpPool.enc(roomId) + "/send/m.room.message/b"
                + System.nanoTime(), sender.token(), content).path("event_id").asText();
    }
}
