package org.myelin.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.storage.DatabaseConfig;
import org.myelin.storage.testing.TestDatabases;

/** Start and stop in-process. */
class HomeserverIT {

    @TempDir
    Path dataDir;

    private HomeserverConfig config() {
        DatabaseConfig db = TestDatabases.freshConfig();
        return HomeserverConfig.defaults()
                .withServerName("127.0.0.1")
                .withDataDir(dataDir)
                .withDatabase(new HomeserverConfig.Database(db.url(), db.user(), db.password(), db.maxPoolSize()))
                .withListeners(List.of(
                        new HomeserverConfig.Listener(0, "127.0.0.1", null, List.of(Resource.CLIENT)),
                        new HomeserverConfig.Listener(0, "127.0.0.1", new HomeserverConfig.Tls(null, null),
                                List.of(Resource.FEDERATION, Resource.KEYS))));
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void closeReleasesThePortsAndARestartKeepsTheSigningKey() {
        HomeserverConfig config = config();
        String keyId;
        int clientPort;
        int federationPort;
        try (Homeserver hs = Homeserver.start(config)) {
            keyId = hs.signingKey().keyId();
            clientPort = hs.portServing(Resource.CLIENT).orElseThrow();
            federationPort = hs.portServing(Resource.FEDERATION).orElseThrow();
            assertTrue(listening(clientPort) && listening(federationPort));
        }
        assertFalse(listening(clientPort), "client port closed");
        assertFalse(listening(federationPort), "federation port closed");

        try (Homeserver again = Homeserver.start(config)) {
            assertEquals(keyId, again.signingKey().keyId(), "the signing key is generated once");
        }
    }

    @Test
    void portInUseIsAClearStartupError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            HomeserverConfig config = config().withListeners(List.of(
                    new HomeserverConfig.Listener(taken.getLocalPort(), "127.0.0.1", null, List.of(Resource.CLIENT))));
            StartupException e = assertThrows(StartupException.class, () -> Homeserver.start(config));
            assertTrue(e.getMessage().startsWith("listeners[0]: cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }
}
