package org.myelin.protocol.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The spec's examples of push conditions ("Conditions"), from
 * {@code spec-vectors/push-conditions.json}: each example event, with the property set to each
 * value the spec lists as matching and as not matching.
 */
class PushConditionSpecExamplesTest {

    private static final PushContext NO_ROOM = new PushContext(0, null, null);

    static Stream<Arguments> examples() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<Arguments> cases = new ArrayList<>();
        try (InputStream in = PushConditionSpecExamplesTest.class.getResourceAsStream("/spec-vectors/push-conditions.json")) {
            for (JsonNode c : mapper.readTree(in).get("cases")) {
                for (JsonNode value : c.get("matching")) {
                    cases.add(Arguments.of(c.get("section").asText(), c, value, true));
                }
                for (JsonNode value : c.get("not_matching")) {
                    cases.add(Arguments.of(c.get("section").asText(), c, value, false));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {2} matches = {3}")
    @MethodSource("examples")
    void conditionMatchesAsTheSpecSays(String section, JsonNode example, JsonNode value, boolean matches) {
        ObjectNode event = example.get("event").deepCopy();
        ObjectNode parent = event;
        List<String> path = new ArrayList<>();
        example.get("path").forEach(p -> path.add(p.asText()));
        for (String step : path.subList(0, path.size() - 1)) {
            parent = (ObjectNode) parent.get(step);
        }
        parent.set(path.getLast(), value);
        PushCondition condition = PushCondition.parse(example.get("condition"));
        assertEquals(matches, PushRuleEvaluator.holds(condition, event, NO_ROOM), section + " with " + value);
    }
}
