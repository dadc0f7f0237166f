package org.myelin.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.e2ee.HttpPool;
import org.myelin.bench.e2ee.InParallel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A user in many rooms, made through the client-server API as clients make them: the user creates
 * each room (private chat, named) inviting the other members, who join; then one message per
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

    static Account register(HttpPool http, String localpart) {
        ObjectNode body = HttpPool.JSON.createObjectNode().put("username", localpart).put("password", "bench-" + localpart);
        body.putObject("auth").put("type", "m.login.dummy");
        JsonNode r = http.ok("POST", HttpPool.V3 + "/register", null, body);
        return new Account(r.path("user_id").asText(), r.path("access_token").asText());
    }

    /** {@code prefix}'s user in {@code count} rooms of {@code members} members each (the user included). */
    static RoomsOfOneUser seed(HttpPool http, String prefix, int count, int members, int atOnce) {
        Account user = register(http, prefix);
        List<Account> others = InParallel.map(members - 1, atOnce, i -> register(http, prefix + "-m" + i));
        List<String> rooms = InParallel.map(count, atOnce, i -> {
            ObjectNode create = HttpPool.JSON.createObjectNode().put("preset", "private_chat").put("name", "room " + i);
            ArrayNode invite = create.putArray("invite");
            others.forEach(o -> invite.add(o.userId()));
            String roomId = http.ok("POST", HttpPool.V3 + "/createRoom", user.token(), create).path("room_id").asText();
            for (Account other : others) {
                http.ok("POST", HttpPool.V3 + "/rooms/" + HttpPool.enc(roomId) + "/join", other.token(),
                        HttpPool.JSON.createObjectNode());
            }
            return roomId;
        });
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(count));
        InParallel.map(count, atOnce, k -> {
            int i = order.get(k);
            Account sender = others.isEmpty() ? user : others.get(i % others.size());
            return send(http, sender, rooms.get(i), "message " + i);
        });
        return new RoomsOfOneUser(user, rooms);
    }

    static String send(HttpPool http, Account sender, String roomId, String body) {
        ObjectNode content = HttpPool.JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
        return http.ok("PUT", HttpPool.V3 + "/rooms/" + HttpPool.enc(roomId) + "/send/m.room.message/b"
                + System.nanoTime(), sender.token(), content).path("event_id").asText();
    }
}
