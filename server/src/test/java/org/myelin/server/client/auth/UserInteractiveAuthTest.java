package org.myelin.server.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;

/** The UIA state machine on its own: flows, order, sessions, failures. */
class UserInteractiveAuthTest {

    private final UserInteractiveAuth uia = new UserInteractiveAuth(Clock.systemUTC());

    /** A stage that succeeds when the auth dict says {@code "ok": true}. */
    private static UserInteractiveAuth.Stage stage(String type) {
        return new UserInteractiveAuth.Stage() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public void verify(JsonNode auth, UiaSession session) {
                if (!auth.path("ok").asBoolean()) {
                    throw MatrixException.forbidden("not ok");
                }
            }

            @Override
            public Object params() {
                return type.equals("b") ? java.util.Map.of("hint", "for b") : null;
            }
        };
    }

    private final List<UserInteractiveAuth.Flow> flows = List.of(
            UserInteractiveAuth.Flow.of(stage("a"), stage("b")),
            UserInteractiveAuth.Flow.of(stage("c")));

    private static ObjectNode auth(String type, String session, boolean ok) {
        ObjectNode auth = Json.MAPPER.createObjectNode().put("type", type).put("ok", ok);
        if (session != null) {
            auth.put("session", session);
        }
        return auth;
    }

    private static JsonNode body(UiaOutcome outcome) {
        UiaOutcome.Challenge c = assertInstanceOf(UiaOutcome.Challenge.class, outcome);
        assertEquals(401, c.response().status());
        return Json.MAPPER.valueToTree(c.response().body());
    }

    @Test
    void noAuthIsAChallengeWithFlowsParamsAndSession() {
        JsonNode body = body(uia.authenticate("op", null, flows));
        assertEquals("[{\"stages\":[\"a\",\"b\"]},{\"stages\":[\"c\"]}]", body.path("flows").toString());
        assertEquals("for b", body.path("params").path("b").path("hint").asText());
        assertEquals("[]", body.path("completed").toString(), "listed even when empty, as Synapse does");
        assertEquals(false, body.has("errcode"));
        assertEquals(false, body.path("session").asText().isEmpty());
    }

    @Test
    void stagesCompleteInOrderAcrossRequests() {
        String session = body(uia.authenticate("op", null, flows)).path("session").asText();
        JsonNode afterA = body(uia.authenticate("op", auth("a", session, true), flows));
        assertEquals("[\"a\"]", afterA.path("completed").toString());
        UiaOutcome done = uia.authenticate("op", auth("b", session, true), flows);
        assertEquals(session, assertInstanceOf(UiaOutcome.Authenticated.class, done).session().id());
        // Retrying a completed stage gives the result again.
        assertInstanceOf(UiaOutcome.Authenticated.class, uia.authenticate("op", auth("a", session, true), flows));
    }

    @Test
    void aStageOutOfOrderIsRefusedWithTheChallenge() {
        JsonNode body = body(uia.authenticate("op", auth("b", null, true), flows));
        assertEquals("M_FORBIDDEN", body.path("errcode").asText());
    }

    @Test
    void aFailedAttemptKeepsTheSessionAndSaysWhy() {
        String session = body(uia.authenticate("op", null, flows)).path("session").asText();
        JsonNode failed = body(uia.authenticate("op", auth("c", session, false), flows));
        assertEquals("M_FORBIDDEN", failed.path("errcode").asText());
        assertEquals("not ok", failed.path("error").asText());
        assertEquals(session, failed.path("session").asText());
        assertInstanceOf(UiaOutcome.Authenticated.class, uia.authenticate("op", auth("c", session, true), flows));
    }

    @Test
    void sessionsAreBoundToTheirOperation() {
        String session = body(uia.authenticate("op", null, flows)).path("session").asText();
        MatrixException e = assertThrows(MatrixException.class,
                () -> uia.authenticate("other", auth("c", session, true), flows));
        assertEquals(403, e.status());
    }

    @Test
    void unknownAndFinishedSessionsAreRefused() {
        assertEquals(400, assertThrows(MatrixException.class,
                () -> uia.authenticate("op", auth("c", "nope", true), flows)).status());
        UiaOutcome done = uia.authenticate("op", auth("c", null, true), flows);
        UiaSession session = assertInstanceOf(UiaOutcome.Authenticated.class, done).session();
        uia.finish(session);
        assertThrows(MatrixException.class, () -> uia.authenticate("op", auth("c", session.id(), true), flows));
    }

    @Test
    void aSessionOnlyAuthDictReportsProgress() {
        String session = body(uia.authenticate("op", auth("a", null, true), flows)).path("session").asText();
        ObjectNode onlySession = Json.MAPPER.createObjectNode().put("session", session);
        assertEquals("[\"a\"]", body(uia.authenticate("op", onlySession, flows)).path("completed").toString());
    }
}
