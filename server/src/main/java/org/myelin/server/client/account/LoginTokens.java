package org.myelin.server.client.account;

import org.myelin.server.client.auth.Tokens;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.storage.accounts.LoginTokenRepository;

import java.time.Clock;
import java.util.Optional;

/**
 * Login tokens (client-server API, "Login tokens", {@code m.login.token}): issued to a logged-in
 * client for another, which logs in with one once, within {@code auth.login_via_existing_session.
 * token_timeout_ms}. Kept by their SHA-256, as access tokens are.
 */
public final class LoginTokens {

    /** A token as the client that asked gets it. */
    public record Issued(String loginToken, long expiresInMs) {}

    private final LoginTokenRepository repository;
    private final HomeserverConfig.LoginViaExistingSession config;
    private final Clock clock;

    public LoginTokens(LoginTokenRepository repository, HomeserverConfig.LoginViaExistingSession config, Clock clock) {
        this.repository = repository;
        this.config = config;
        this.clock = clock;
    }

    /** Whether logged-in clients may get tokens ({@code auth.login_via_existing_session.enabled}). */
    public boolean enabled() {
        return config.enabled();
    }

    /** Whether getting one takes user-interactive auth. */
    public boolean requireUiAuth() {
        return config.requireUiAuth();
    }

    /** A new token that logs {@code userId} in. */
    public Issued issue(String userId) {
        String token = "mylt_" + Tokens.randomText(32);
        long now = clock.millis();
        repository.store(Tokens.hash(token), userId, now + config.tokenTimeoutMs(), now);
        return new Issued(token, config.tokenTimeoutMs());
    }

    /** Uses a token up: the user it logs in, unless it is unknown, used already or expired. */
    public Optional<String> consume(String token) {
        return repository.consume(Tokens.hash(token), clock.millis());
    }
}
