package org.myelin.server.client.account;

import java.time.Clock;
import java.util.Optional;
import org.myelin.server.client.auth.Tokens;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.NewSession;
import org.myelin.storage.accounts.TokenRepository;

/**
 * Issues sessions: a device and its access token, with a refresh token for clients that
 * support them (client-server API, "Relationship between access tokens and devices",
 * "Refreshing access tokens"). Access tokens issued with a refresh token expire after
 * {@code auth.refreshable_access_token_lifetime_ms}; others after
 * {@code auth.nonrefreshable_access_token_lifetime_ms}, or never.
 */
public final class Sessions {

    /** Longest device id accepted from a client. */
    static final int MAX_DEVICE_ID_LENGTH = 255;
    /** Longest device display name accepted from a client, in characters: Synapse's limit. */
    static final int MAX_DEVICE_DISPLAY_NAME_LENGTH = 100;

    /**
     * A session as the client sees it.
     *
     * @param refreshToken null unless the client asked for one
     * @param expiresInMs  null when the access token never expires
     */
    public record Issued(String userId, String deviceId, String accessToken, String refreshToken, Long expiresInMs) {}

    /** A session not stored yet: what to store, and what to tell the client once it is. */
    public record Prepared(NewSession toStore, Issued issued) {}

    private final TokenRepository tokens;
    private final HomeserverConfig.Auth config;
    private final Clock clock;

    public Sessions(TokenRepository tokens, HomeserverConfig.Auth config, Clock clock) {
        this.tokens = tokens;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Makes the tokens of a session for {@code userId} on {@code deviceId} (a new device id
     * when null), to be stored by the caller.
     */
    public Prepared prepare(String userId, String deviceId, String displayName, boolean refreshable) {
        String device = deviceId != null ? validDeviceId(deviceId) : Tokens.newDeviceId();
        validDisplayName(displayName);
        long now = clock.millis();
        Long lifetime = refreshable ? Long.valueOf(config.refreshableAccessTokenLifetimeMs())
                : config.nonrefreshableAccessTokenLifetimeMs();
        String accessToken = Tokens.newAccessToken();
        String refreshToken = refreshable ? Tokens.newRefreshToken() : null;
        NewSession toStore = new NewSession(userId, device, displayName, Tokens.hash(accessToken),
                lifetime == null ? null : now + lifetime, refreshToken == null ? null : Tokens.hash(refreshToken), now);
        return new Prepared(toStore, new Issued(userId, device, accessToken, refreshToken, lifetime));
    }

    /** Logs {@code userId} in: stores the device (unless known) and a new session on it. */
    public Issued start(String userId, String deviceId, String displayName, boolean refreshable) {
        Prepared prepared = prepare(userId, deviceId, displayName, refreshable);
        tokens.startSession(prepared.toStore());
        return prepared.issued();
    }

    /** Rotates a refresh token: a new access and refresh token for its device, or empty if unknown. */
    public Optional<Issued> refresh(String refreshToken) {
        long now = clock.millis();
        long lifetime = config.refreshableAccessTokenLifetimeMs();
        String accessToken = Tokens.newAccessToken();
        String newRefreshToken = Tokens.newRefreshToken();
        return tokens.refresh(Tokens.hash(refreshToken), Tokens.hash(accessToken), now + lifetime,
                        Tokens.hash(newRefreshToken), now)
                .map(r -> new Issued(r.userId(), r.deviceId(), accessToken, newRefreshToken, lifetime));
    }

    /**
     * A device display name from a client (null for none): 400 M_TOO_LARGE past
     * {@link #MAX_DEVICE_DISPLAY_NAME_LENGTH} characters, as Synapse answers.
     */
    static String validDisplayName(String displayName) {
        if (displayName != null
                && displayName.codePointCount(0, displayName.length()) > MAX_DEVICE_DISPLAY_NAME_LENGTH) {
            throw MatrixException.tooLarge("Device display name is too long (max " + MAX_DEVICE_DISPLAY_NAME_LENGTH
                    + ")").withStatus(400);
        }
        return displayName;
    }

    static String validDeviceId(String deviceId) {
        if (deviceId.isEmpty() || deviceId.length() > MAX_DEVICE_ID_LENGTH) {
            throw MatrixException.invalidParam("device_id must be 1 to " + MAX_DEVICE_ID_LENGTH + " characters");
        }
        return deviceId;
    }
}
