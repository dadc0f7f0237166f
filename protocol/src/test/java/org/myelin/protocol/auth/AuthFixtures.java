package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The auth fixture files: {@code {"cases": [case, ...]}}, each case
 * <pre>
 * {"name": "behaviour in words",
 *  "check": "state" (default) | "auth_events",
 *  "setup": name,                        state events from setups.json to start with
 *  "state": [compact event, ...],        built in order; the last of each key is the state
 *  "event": compact event,               the event under test
 *  "rejected": [name, ...],              auth events taken as rejected (auth_events checks)
 *  "versions": "1-12", "expect": "allow" | "rule"      one verdict for those versions, or
 *  "expect": {"1-2": "5.2.3", "3-7": "4.2.3", ...}     a verdict per range of versions}
 * </pre>
 * Compact events are described in {@link FixtureRoom}. Version ranges: {@code "3"},
 * {@code "3-7"}, {@code "8-"}, comma-separated.
 */
final class AuthFixtures {

    /** The file of named state lists that cases start from with {@code "setup": name}. */
    static final String SETUPS = "setups.json";

    /** One case, with its verdict per room version. */
    record Case(String file, String name, boolean checksAuthEvents, ArrayNode state, ObjectNode event,
                List<String> rejected, Map<RoomVersion, String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private AuthFixtures() {
    }

    static List<Case> load() {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(AuthFixtures.class.getResource("/auth").toURI()))) {
            List<Path> paths = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            JsonNode setups = MatrixJson.mapper().createObjectNode();
            for (Path file : paths) {
                if (file.getFileName().toString().equals(SETUPS)) {
                    setups = read(file);
                }
            }
            for (Path file : paths) {
                for (JsonNode c : read(file).path("cases")) {
                    cases.add(parse(file.getFileName().toString(), (ObjectNode) c, setups));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return cases;
    }

    private static JsonNode read(Path file) throws IOException {
        return MatrixJson.parse(Files.readAllBytes(file), MatrixJson.Numbers.LENIENT);
    }

    private static Case parse(String file, ObjectNode c, JsonNode setups) {
        String name = c.path("name").asText();
        Map<RoomVersion, String> expected = new LinkedHashMap<>();
        JsonNode expect = c.get("expect");
        if (expect == null) {
            throw new IllegalArgumentException(file + ": " + name + " has no expect");
        }
        if (expect.isTextual()) {
            for (RoomVersion v : versions(c.path("versions").asText("1-12"))) {
                expected.put(v, expect.textValue());
            }
        } else {
            for (Map.Entry<String, JsonNode> entry : expect.properties()) {
                for (RoomVersion v : versions(entry.getKey())) {
                    if (expected.put(v, entry.getValue().asText()) != null) {
                        throw new IllegalArgumentException(file + ": " + name + " names v" + v.id() + " twice");
                    }
                }
            }
        }
        List<String> rejected = new ArrayList<>();
        c.path("rejected").forEach(n -> rejected.add(n.asText()));
        ArrayNode state = c.arrayNode();
        if (c.has("setup")) {
            JsonNode setup = setups.get(c.get("setup").asText());
            if (setup == null) {
                throw new IllegalArgumentException(file + ": " + name + " names an unknown setup");
            }
            state.addAll((ArrayNode) setup);
        }
        if (c.has("state")) {
            state.addAll((ArrayNode) c.get("state"));
        }
        return new Case(file, name, "auth_events".equals(c.path("check").asText()), state,
                (ObjectNode) c.get("event"), rejected, expected);
    }

    static List<RoomVersion> versions(String ranges) {
        List<RoomVersion> versions = new ArrayList<>();
        for (String range : ranges.split(",")) {
            String r = range.strip();
            int dash = r.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? r : r.substring(0, dash));
            int to = dash < 0 ? from : dash == r.length() - 1 ? 12 : Integer.parseInt(r.substring(dash + 1));
            for (int v = from; v <= to; v++) {
                versions.add(RoomVersions.find(Integer.toString(v)).orElseThrow());
            }
        }
        return versions;
    }
}
