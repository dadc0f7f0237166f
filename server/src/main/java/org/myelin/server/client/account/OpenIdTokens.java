package org.myelin.server.client.account;

import org.myelin.server.client.auth.Tokens;
import org.myelin.storage.accounts.OpenIdTokenRepository;

import java.time.Clock;
import java.util.Optional;

/**
 * OpenID tokens (client-server API, "OpenID"): a user gets one to prove to a third party (an
 * integration manager, a widget) who they are; the third party asks this server's
 * {@code /_matrix/federation/v1/openid/userinfo} whom it names. Valid for an hour, as in Synapse.
 */
public final class OpenIdTokens {

    /** How long a token is valid, in seconds: Synapse's hour. */
    public static final long EXPIRES_IN_SECONDS = 3600;

    /** A token as its owner gets it. */
    public record Issued(String accessToken, long expiresInSeconds) {}

    private final OpenIdTokenRepository repository;
    private final Clock clock;

    public OpenIdTokens(OpenIdTokenRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** A new token naming {@code userId}. */
    public Issued issue(String userId) {
        String token = Tokens.randomText(24);
        long now = clock.millis();
        repository.store(Tokens.hash(token), userId, now + EXPIRES_IN_SECONDS * 1000, now);
        return new Issued(token, EXPIRES_IN_SECONDS);
    }

    /** The user a token names, unless it is unknown or expired. */
    public Optional<String> owner(String token) {
        return repository.owner(Tokens.hash(token), clock.millis());
    }
}
