package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import org.myelin.server.client.auth.UiaSession;
import org.myelin.server.client.auth.UserInteractiveAuth;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.RegistrationTokenRepository;

/**
 * The {@code m.login.registration_token} stage (client-server API, "Token-authenticated
 * registration"): a valid token reserves one of its uses for the session; the registration
 * completes the use, an abandoned session gives it back.
 */
final class RegistrationTokenStage implements UserInteractiveAuth.Stage {

    static final String TOKEN_KEY = "registration_token";
    static final String USED_KEY = "registration_token_used";

    private final RegistrationTokenRepository tokens;
    private final Clock clock;

    RegistrationTokenStage(RegistrationTokenRepository tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    @Override
    public String type() {
        return UserInteractiveAuth.REGISTRATION_TOKEN;
    }

    @Override
    public void verify(JsonNode auth, UiaSession session) {
        JsonNode token = auth.get("token");
        if (token == null || !token.isTextual()) {
            throw MatrixException.missingParam("Missing 'token'");
        }
        if (!tokens.reserve(token.asText(), clock.millis())) {
            throw MatrixException.unauthorized("Invalid registration token");
        }
        session.put(TOKEN_KEY, token.asText());
    }

    /** Turns the session's reserved use into a completed one (once). */
    void registered(UiaSession session) {
        session.get(TOKEN_KEY, String.class).ifPresent(token -> {
            if (session.get(USED_KEY, Boolean.class).isEmpty()) {
                session.put(USED_KEY, Boolean.TRUE);
                tokens.complete(token);
            }
        });
    }

    @Override
    public void expired(UiaSession session) {
        if (session.get(USED_KEY, Boolean.class).isEmpty()) {
            session.get(TOKEN_KEY, String.class).ifPresent(tokens::release);
        }
    }
}
