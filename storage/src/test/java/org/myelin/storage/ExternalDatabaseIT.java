package org.myelin.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ExternalDatabaseIT {

    @Test
    void unreachableUrlFailsWithAClearMessage() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/myelin?password=secret";
        DatabaseException e = assertThrows(DatabaseException.class,
                () -> Database.open(DatabaseConfig.external(url, "myelin", "pw")));
        String message = e.getMessage();
        assertTrue(message.startsWith("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:" + closedPort + "/myelin"), message);
        assertTrue(message.contains("refused"), message);
        assertTrue(!message.contains("secret"), "no password in the message: " + message);
    }

    @Test
    void urlThatIsNotPostgresIsRejectedByName() {
        DatabaseException e = assertThrows(DatabaseException.class,
                () -> Database.open(DatabaseConfig.external("postgres://localhost/db", null, null)));
        assertTrue(e.getMessage().contains("database.url 'postgres://localhost/db' is not a PostgreSQL JDBC URL"), e.getMessage());
    }
}
