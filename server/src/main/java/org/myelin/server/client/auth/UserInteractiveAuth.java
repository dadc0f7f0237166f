package org.myelin.server.client.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;

/**
 * User-interactive authentication (client-server API, "User-Interactive Authentication
 * API"): an endpoint offers flows of stages; the client completes them one request at a
 * time, carrying a session id; every request short of a complete flow is answered 401 with
 * the flows, the params, the session and the stages completed, plus {@code errcode} and
 * {@code error} when an attempt failed.
 *
 * <p>Sessions live in memory for {@link #SESSION_LIFETIME_MS}, bound to one operation: a
 * session started for one request cannot authorise another (403). A request with an
 * {@code auth} dict but no session starts a session and tries the stage at once (matrix-nio
 * registers this way with {@code m.login.dummy}).
 */
public final class UserInteractiveAuth {

    public static final String DUMMY = "m.login.dummy";
    public static final String PASSWORD = "m.login.password";
    public static final String REGISTRATION_TOKEN = "m.login.registration_token";
    static final long SESSION_LIFETIME_MS = 60 * 60_000L;
    private static final long SWEEP_INTERVAL_MS = 60_000L;

    /** One kind of stage ({@code m.login.password}, …). */
    public interface Stage {
        /** The auth type, e.g. {@code m.login.dummy}. */
        String type();

        /**
         * Checks the client's auth dict; throws {@link MatrixException} when the attempt fails,
         * which the client is told in the 401, or {@link Refused} when the request must end
         * there.
         */
        void verify(JsonNode auth, UiaSession session);

        /** What the client needs to know for this stage ({@code params[type]}), or null. */
        default Object params() {
            return null;
        }

        /** Called when a session that completed this stage expires. */
        default void expired(UiaSession session) {
        }
    }

    /**
     * Thrown by a stage when the attempt succeeded but may not authorise this request: a
     * password stage that authenticated someone other than the requester. The request is
     * answered with the error (403, as Synapse's "Invalid auth"), not with another 401.
     */
    public static final class Refused extends RuntimeException {
        private final MatrixException error;

        public Refused(MatrixException error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }

        public MatrixException error() {
            return error;
        }
    }

    /** A flow: stages to complete in order. */
    public record Flow(List<Stage> stages) {
        public Flow {
            stages = List.copyOf(stages);
        }

        public static Flow of(Stage... stages) {
            return new Flow(List.of(stages));
        }

        List<String> types() {
            return stages.stream().map(Stage::type).toList();
        }
    }

    /** The {@code m.login.dummy} stage: always succeeds. */
    public static final Stage DUMMY_STAGE = new Stage() {
        @Override
        public String type() {
            return DUMMY;
        }

        @Override
        public void verify(JsonNode auth, UiaSession session) {
        }
    };

    record FlowBody(List<String> stages) {}

    /** The 401 body (definitions/auth_response.yaml), with the error of a failed attempt. */
    record ChallengeBody(String errcode, String error, List<FlowBody> flows, Map<String, Object> params,
                         String session, List<String> completed) {}

    private final Clock clock;
    private final Map<String, UiaSession> sessions = new ConcurrentHashMap<>();
    private volatile long lastSweepMs;

    public UserInteractiveAuth(Clock clock) {
        this.clock = clock;
    }

    /**
     * Runs one step of the dance for {@code operation}.
     *
     * @param operation what the request does, specific enough that a session cannot be
     *                  replayed for something else (e.g. include the user and the devices)
     * @param auth      the request's {@code auth} dict, null or missing if it sent none
     * @param flows     the flows offered
     */
    public UiaOutcome authenticate(String operation, JsonNode auth, List<Flow> flows) {
        sweep();
        if (auth == null || auth.isNull() || auth.isMissingNode()) {
            return challenge(newSession(operation), flows, null);
        }
        if (!auth.isObject()) {
            throw MatrixException.badJson("'auth' must be an object");
        }
        UiaSession session = sessionOf(auth, operation);
        JsonNode typeNode = auth.get("type");
        if (typeNode != null && !typeNode.isNull()) {
            if (!typeNode.isTextual()) {
                throw MatrixException.badJson("'auth.type' must be a string");
            }
            String type = typeNode.asText();
            if (!session.completed().contains(type)) {
                Stage stage = nextStage(flows, session.completed(), type);
                if (stage == null) {
                    return challenge(session, flows,
                            MatrixException.forbidden("Auth type " + type + " is not the next stage of any flow"));
                }
                try {
                    stage.verify(auth, session);
                } catch (MatrixException failed) {
                    return challenge(session, flows, failed);
                } catch (Refused refused) {
                    throw refused.error();
                }
                session.complete(stage);
            }
        }
        for (Flow flow : flows) {
            if (session.completed().containsAll(flow.types())) {
                return new UiaOutcome.Authenticated(session);
            }
        }
        return challenge(session, flows, null);
    }

    /**
     * The live session an auth dict names, if any, without running a step: for endpoints
     * that must know what the session already did before checking the request (a retried
     * registration).
     */
    public Optional<UiaSession> existing(JsonNode auth, String operation) {
        if (auth == null || !auth.isObject() || !auth.path("session").isTextual()) {
            return Optional.empty();
        }
        UiaSession session = sessions.get(auth.path("session").asText());
        return session == null || expired(session, clock.millis()) || !session.operation().equals(operation)
                ? Optional.empty() : Optional.of(session);
    }

    /** Ends a session whose operation succeeded and must not be authorised again by it. */
    public void finish(UiaSession session) {
        sessions.remove(session.id());
    }

    private UiaSession sessionOf(JsonNode auth, String operation) {
        JsonNode id = auth.get("session");
        if (id == null || id.isNull()) {
            return newSession(operation);
        }
        if (!id.isTextual()) {
            throw MatrixException.badJson("'auth.session' must be a string");
        }
        UiaSession session = sessions.get(id.asText());
        if (session == null || expired(session, clock.millis())) {
            throw MatrixException.unknownBadRequest("Unknown session ID: " + id.asText());
        }
        if (!session.operation().equals(operation)) {
            throw MatrixException.forbidden("Requested operation has changed during the UI authentication session");
        }
        return session;
    }

    private static Stage nextStage(List<Flow> flows, List<String> completed, String type) {
        for (Flow flow : flows) {
            List<String> types = flow.types();
            if (types.size() > completed.size() && types.subList(0, completed.size()).equals(completed)
                    && types.get(completed.size()).equals(type)) {
                return flow.stages().get(completed.size());
            }
        }
        return null;
    }

    private UiaSession newSession(String operation) {
        UiaSession session = new UiaSession(Tokens.randomText(18), operation, clock.millis());
        sessions.put(session.id(), session);
        return session;
    }

    private static UiaOutcome.Challenge challenge(UiaSession session, List<Flow> flows, MatrixException error) {
        List<FlowBody> flowBodies = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>();
        for (Flow flow : flows) {
            flowBodies.add(new FlowBody(flow.types()));
            for (Stage stage : flow.stages()) {
                if (stage.params() != null) {
                    params.put(stage.type(), stage.params());
                }
            }
        }
        // completed is listed even when empty, as Synapse does: clients read it to pick the next stage.
        return new UiaOutcome.Challenge(session, new JsonResponse(401, new ChallengeBody(
                error == null ? null : error.errCode().name(), error == null ? null : error.getMessage(),
                flowBodies, params, session.id(), session.completed())));
    }

    private boolean expired(UiaSession session, long now) {
        return now - session.createdMs() > SESSION_LIFETIME_MS;
    }

    private void sweep() {
        long now = clock.millis();
        if (now - lastSweepMs < SWEEP_INTERVAL_MS) {
            return;
        }
        lastSweepMs = now;
        sessions.values().removeIf(session -> {
            if (!expired(session, now)) {
                return false;
            }
            for (Stage stage : session.completedStages()) {
                stage.expired(session);
            }
            return true;
        });
    }
}
