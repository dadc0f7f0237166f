package org.myelin.protocol.stateres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The forked-room cases of {@code stateres/forks.json} (room versions, "State resolution"), each
 * in each room version it names: built by {@link TestRoom}, resolved in every order of the
 * state sets, and checked entry by entry.
 */
class ForkFixturesTest {

    private static final String FIXTURES = "/stateres/forks.json";

    @TestFactory
    Stream<DynamicTest> forkedRoomsResolveAsTheFixturesSay() throws IOException {
        JsonNode fixtures = load();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode fixture : fixtures.get("cases")) {
            for (RoomVersion version : versions(fixture.get("versions").textValue())) {
                tests.add(DynamicTest.dynamicTest(fixture.get("name").textValue() + " [" + version + "]",
                        () -> new Case(fixtures, fixture, version).run()));
            }
        }
        return tests.stream();
    }

    private static JsonNode load() throws IOException {
        try (InputStream in = ForkFixturesTest.class.getResourceAsStream(FIXTURES)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Versions {@code "from..to"} by their ids. */
    private static List<RoomVersion> versions(String range) {
        String[] ends = range.split("\\.\\.");
        int from = Integer.parseInt(ends[0]);
        int to = Integer.parseInt(ends[ends.length - 1]);
        List<RoomVersion> versions = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            versions.add(RoomVersions.find(Integer.toString(id)).orElseThrow());
        }
        return versions;
    }

    /** One fixture case in one room version. */
    private static final class Case {

        private final JsonNode fixtures;
        private final JsonNode fixture;
        private final JsonNode users;
        private final TestRoom room;
        private final Map<String, String> labels = new HashMap<>();

        Case(JsonNode fixtures, JsonNode fixture, RoomVersion version) {
            this.fixtures = fixtures;
            this.fixture = fixture;
            this.users = fixtures.get("users");
            this.room = TestRoom.create(version, user("alice"));
        }

        void run() {
            TestRoom.Branch main = room.main();
            play(main, fixtures.get("setups").get(fixture.get("setup").textValue()));
            if (fixture.has("setupMore")) {
                play(main, fixture.get("setupMore"));
            }
            Map<String, TestRoom.Branch> branches = new LinkedHashMap<>();
            fixture.get("branches").properties().forEach(entry -> {
                TestRoom.Branch branch = main.fork();
                play(branch, entry.getValue());
                branches.put(entry.getKey(), branch);
            });
            List<Map<StateKey, String>> states = new ArrayList<>();
            if (fixture.has("resolve")) {
                fixture.get("resolve").forEach(name -> states.add(branches.get(name.textValue()).state()));
            } else {
                branches.values().forEach(branch -> states.add(branch.state()));
            }
            Map<StateKey, String> resolved = Resolutions.resolveInEveryOrder(room.version(), states, room);
            check(resolved, branches);
        }

        private void check(Map<StateKey, String> resolved, Map<String, TestRoom.Branch> branches) {
            if (fixture.has("expectStateOf")) {
                assertEquals(branches.get(fixture.get("expectStateOf").textValue()).state(), resolved);
            }
            if (fixture.has("expect")) {
                fixture.get("expect").properties().forEach(entry -> {
                    String[] key = entry.getKey().split("\\|", -1);
                    String expected = entry.getValue().isNull() ? null : labels.get(entry.getValue().textValue());
                    assertEquals(name(expected), name(resolved.get(StateKey.of(key[0], key[1]))), entry.getKey());
                });
            }
        }

        /** The label of an event id, for readable failures. */
        private String name(String eventId) {
            if (eventId == null) {
                return "(none)";
            }
            return labels.entrySet().stream().filter(e -> e.getValue().equals(eventId))
                    .map(Map.Entry::getKey).findFirst().orElse(eventId);
        }

        private void play(TestRoom.Branch branch, JsonNode ops) {
            for (JsonNode op : ops) {
                if (op.has("ts")) {
                    branch.at(op.get("ts").longValue());
                }
                Pdu event = apply(branch, op);
                labels.put(op.get("label").textValue(), event.eventId());
            }
        }

        private Pdu apply(TestRoom.Branch branch, JsonNode op) {
            return switch (op.get("op").textValue()) {
                case "join" -> branch.join(user(op, "user"));
                case "leave" -> branch.leave(user(op, "user"));
                case "invite" -> branch.invite(user(op, "sender"), user(op, "target"));
                case "kick" -> branch.kick(user(op, "sender"), user(op, "target"));
                case "ban" -> branch.ban(user(op, "sender"), user(op, "target"));
                case "topic" -> branch.topic(user(op, "sender"), op.get("topic").textValue());
                case "join_rules" -> branch.joinRules(user(op, "sender"), op.get("rule").textValue());
                case "power_levels" -> branch.powerLevels(user(op, "sender"), levels(op.get("users")));
                default -> throw new IllegalArgumentException("unknown op " + op);
            };
        }

        private Map<String, Integer> levels(JsonNode byName) {
            Map<String, Integer> levels = new LinkedHashMap<>();
            ((ObjectNode) byName).properties().forEach(e -> levels.put(user(e.getKey()), e.getValue().intValue()));
            return levels;
        }

        private String user(JsonNode op, String field) {
            return user(op.get(field).textValue());
        }

        private String user(String name) {
            return users.get(name).textValue();
        }
    }
}
