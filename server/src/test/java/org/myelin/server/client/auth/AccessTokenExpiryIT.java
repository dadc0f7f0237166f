package org.myelin.server.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.account.Sessions;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.MatrixException;
import org.myelin.server.testing.MutableClock;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.Database;
import org.myelin.storage.accounts.Account;
import org.myelin.storage.accounts.Device;
import org.myelin.storage.testing.TestDatabases;

/**
 * Token expiry and last-seen bookkeeping, with a clock the test moves (real PostgreSQL, no
 * HTTP): expired tokens are soft-logged-out, refresh tokens outlive them, and a device's
 * last-seen is written at most once a minute per token.
 */
class AccessTokenExpiryIT {

    private static Database database;
    private static final MutableClock clock = new MutableClock();
    private static AccountServices services;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        HomeserverConfig config = HomeserverConfig.defaults().withServerName("test.example")
                .withAuth(new HomeserverConfig.Auth(60_000, null, TestHomeserver.TEST_AUTH.passwordHashing()));
        services = new AccountServices(database.dataSource(), config, clock);
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static Sessions.Issued newAccount(String localpart, boolean refreshable) {
        Sessions.Prepared prepared = services.sessions.prepare("@" + localpart + ":test.example", null, null,
                refreshable);
        services.accounts.register(new Account(prepared.issued().userId(), null, false, false, false, clock.millis()),
                prepared.toStore());
        return prepared.issued();
    }

    @Test
    void refreshableTokensExpireIntoSoftLogoutAndCanBeRefreshed() {
        Sessions.Issued s = newAccount("expiring", true);
        assertEquals(60_000, s.expiresInMs());
        services.authenticator.authenticate(s.accessToken(), "10.0.0.1");
        clock.advance(60_000);
        MatrixException expired = assertThrows(MatrixException.class,
                () -> services.authenticator.authenticate(s.accessToken(), "10.0.0.1"));
        assertEquals("M_UNKNOWN_TOKEN", expired.errCode().name());
        assertEquals(401, expired.status());
        assertEquals(Boolean.TRUE, expired.toError().softLogout());

        Sessions.Issued refreshed = services.sessions.refresh(s.refreshToken()).orElseThrow();
        assertEquals(s.deviceId(), services.authenticator.authenticate(refreshed.accessToken(), null).deviceId());
    }

    @Test
    void tokensWithoutRefreshNeverExpireByDefault() {
        Sessions.Issued s = newAccount("forever", false);
        assertEquals(null, s.expiresInMs());
        clock.advance(10L * 365 * 24 * 3600 * 1000);
        assertEquals(s.userId(), services.authenticator.authenticate(s.accessToken(), null).userId());
    }

    @Test
    void unknownTokensAreHardLoggedOut() {
        MatrixException e = assertThrows(MatrixException.class,
                () -> services.authenticator.authenticate("myat_never_issued", null));
        assertEquals("M_UNKNOWN_TOKEN", e.errCode().name());
        assertEquals(Boolean.FALSE, e.toError().softLogout());
    }

    @Test
    void lastSeenIsWrittenAtMostOnceAMinute() {
        Sessions.Issued s = newAccount("seen", false);
        long t0 = clock.millis();
        services.authenticator.authenticate(s.accessToken(), "10.0.0.1");
        assertEquals(t0, lastSeen(s).lastSeenTs());
        assertEquals("10.0.0.1", lastSeen(s).lastSeenIp());

        clock.advance(30_000);
        services.authenticator.authenticate(s.accessToken(), "10.0.0.2");
        assertEquals(t0, lastSeen(s).lastSeenTs(), "not written again within the minute");

        clock.advance(30_000);
        services.authenticator.authenticate(s.accessToken(), "10.0.0.3");
        assertEquals(t0 + 60_000, lastSeen(s).lastSeenTs());
        assertEquals("10.0.0.3", lastSeen(s).lastSeenIp());
    }

    @Test
    void requesterCarriesTheTokenId() {
        Sessions.Issued s = newAccount("ided", false);
        Requester r = services.authenticator.authenticate(s.accessToken(), null);
        assertTrue(r.tokenId() > 0);
        services.tokens.revokeAccessToken(r.tokenId());
        assertThrows(MatrixException.class, () -> services.authenticator.authenticate(s.accessToken(), null));
    }

    private static Device lastSeen(Sessions.Issued s) {
        return services.accounts.device(s.userId(), s.deviceId()).orElseThrow();
    }
}
