package org.myelin.protocol.auth;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.version.RoomVersion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixtures reject under every rule that can reject, in every room version, and under no
 * number the version does not have. The lists are copied by hand from {@code rooms/v*.md}
 * (rendered numbering), independently of {@link RuleNumbers}.
 */
class AuthRuleCoverageTest {

    private static final String V1_MEMBER = """
            5.1 5.2.2 5.2.3 5.2.6
            5.3.1.1 5.3.1.2 5.3.1.3 5.3.1.4 5.3.1.5 5.3.1.6 5.3.1.8 5.3.2 5.3.3 5.3.5
            5.4.1 5.4.2 5.4.3 5.4.5 5.5.1 5.5.3 5.6""";
    private static final String V6_MEMBER = """
            4.1 4.2.2 4.2.3 4.2.6
            4.3.1.1 4.3.1.2 4.3.1.3 4.3.1.4 4.3.1.5 4.3.1.6 4.3.1.8 4.3.2 4.3.3 4.3.5
            4.4.1 4.4.2 4.4.3 4.4.5 4.5.1 4.5.3""";
    private static final String V8_MEMBER = """
            4.1 4.2.1 4.3.2 4.3.3 4.3.5.2 4.3.7
            4.4.1.1 4.4.1.2 4.4.1.3 4.4.1.4 4.4.1.5 4.4.1.6 4.4.1.8 4.4.2 4.4.3 4.4.5
            4.5.1 4.5.2 4.5.3 4.5.5 4.6.1 4.6.3 4.7.1 4.7.2 4.7.4 4.8""";
    private static final String V3 = "1.1 1.2 1.3 1.4 2.1 2.2 2.3 2.4 2.5 3 4.1 4.2 " + V1_MEMBER
            + " 6 7.1 8 9 10.1 10.3.1 10.3.2 10.4.1 10.5.1 10.6.1 10.7.1";
    private static final String V6 = "1.1 1.2 1.3 1.4 2.1 2.2 2.3 2.4 2.5 3 " + V6_MEMBER
            + " 5 6.1 7 8 9.1 9.3.1 9.3.2 9.4.1 9.5.1 9.6.1 9.7.1";
    private static final String V8 = "1.1 1.2 1.3 1.4 2.1 2.2 2.3 2.4 2.5 3 " + V8_MEMBER
            + " 5 6.1 7 8 9.1 9.3.1 9.3.2 9.4.1 9.5.1 9.6.1 9.7.1";
    private static final String V10_PL = " 9.1 9.2 9.3 9.5.1 9.5.2 9.6.1 9.7.1 9.8.1 9.9.1";
    private static final String V11 = "1.1 1.2 1.3 2.1 2.2 2.3 2.4 2.5 3 " + V8_MEMBER + " 5 6.1 7 8" + V10_PL;

    /** Rejecting rules per version. v12's 1.2 (a create event with a room_id) is refused by Pdu.parse already. */
    static final Map<String, String> REJECTING = Map.ofEntries(
            Map.entry("1", V3 + " 11.3"),
            Map.entry("2", V3 + " 11.3"),
            Map.entry("3", V3),
            Map.entry("4", V3),
            Map.entry("5", V3),
            Map.entry("6", V6 + " 4.6"),
            Map.entry("7", V6 + " 4.6.1 4.6.2 4.6.4 4.7"),
            Map.entry("8", V8),
            Map.entry("9", V8),
            Map.entry("10", V11 + " 1.4"),
            Map.entry("11", V11),
            Map.entry("12", """
                    1.1 1.3 1.4 2 3.1 3.2 3.3 3.4 4
                    5.1 5.2.1 5.3.2 5.3.3 5.3.5.2 5.3.7
                    5.4.1.1 5.4.1.2 5.4.1.3 5.4.1.4 5.4.1.5 5.4.1.6 5.4.1.8 5.4.2 5.4.3 5.4.5
                    5.5.1 5.5.2 5.5.3 5.5.5 5.6.1 5.6.3 5.7.1 5.7.2 5.7.4 5.8
                    6 7.1 8 9 10.1 10.2 10.3 10.4 10.6.1 10.6.2 10.7.1 10.8.1 10.9.1 10.10.1"""));

    @Test
    void everyRuleOfEveryVersionRejectsInSomeFixture() {
        Map<String, Set<String>> seen = seenVerdicts();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> version : REJECTING.entrySet()) {
            for (String rule : version.getValue().split("\\s+")) {
                if (!seen.getOrDefault(version.getKey(), Set.of()).contains(rule)) {
                    missing.add("v" + version.getKey() + " " + rule);
                }
            }
        }
        assertEquals(List.of(), missing, "rules no fixture rejects under");
    }

    @Test
    void fixturesNameOnlyRulesTheVersionHas() {
        List<String> unknown = new ArrayList<>();
        seenVerdicts().forEach((version, verdicts) -> {
            Set<String> known = new LinkedHashSet<>(List.of(REJECTING.get(version).split("\\s+")));
            known.add("allow");
            for (String verdict : verdicts) {
                if (!known.contains(verdict)) {
                    unknown.add("v" + version + " " + verdict);
                }
            }
        });
        assertEquals(List.of(), unknown, "verdicts that are no rule of their version");
    }

    @Test
    void everyVersionHasAllowedCases() {
        seenVerdicts().forEach((version, verdicts) -> assertTrue(verdicts.contains("allow"), "v" + version));
        assertEquals(12, seenVerdicts().size());
    }

    private static Map<String, Set<String>> seenVerdicts() {
        Map<String, Set<String>> seen = new HashMap<>();
        for (AuthFixtures.Case c : AuthFixtures.load()) {
            for (Map.Entry<RoomVersion, String> e : c.expected().entrySet()) {
                seen.computeIfAbsent(e.getKey().id(), k -> new TreeSet<>()).add(e.getValue());
            }
        }
        return seen;
    }
}
