package org.myelin.server.appservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.protocol.id.ServerName;

class RegistrationsTest {

    private static final ServerName SERVER = ServerName.parse("example.org");

    @TempDir
    Path dir;

    private Path file(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private static String registration(String id, String asToken, String hsToken, String more) {
        return "id: " + id + "\nurl: http://127.0.0.1:9000\nas_token: " + asToken + "\nhs_token: " + hsToken
                + "\nsender_localpart: " + id + "bot\nnamespaces:\n  users:\n    - exclusive: true\n"
                + "      regex: '@" + id + "_.*:example\\.org'\n" + more;
    }

    private String problem(String yaml) throws IOException {
        Path f = file("bad.yaml", yaml);
        return assertThrows(Registrations.InvalidRegistration.class, () -> Registrations.load(List.of(f), SERVER))
                .getMessage();
    }

    @Test
    void readsWhatSynapseReads() throws IOException {
        AppService s = Registrations.load(List.of(file("a.yaml", registration("irc", "at", "ht",
                "rate_limited: false\nprotocols: [irc]\nde.sorunome.msc2409.push_ephemeral: true\n"))), SERVER).getFirst();
        assertEquals("@ircbot:example.org", s.sender().toString());
        assertFalse(s.rateLimited());
        assertEquals(List.of("irc"), s.protocols());
        assertEquals(AppService.Ephemeral.UNSTABLE, s.ephemeral());
        assertTrue(s.claimsUserExclusively("@irc_bob:example.org"));
        assertFalse(s.isInterestedInUser("@bob:example.org"));
        assertTrue(s.isInterestedInUser("@ircbot:example.org"));
        AppService quiet = Registrations.load(List.of(file("b.yaml",
                registration("q", "at2", "ht2", "receive_ephemeral: true\n").replace("url: http://127.0.0.1:9000",
                        "url: null"))), SERVER).getFirst();
        assertNull(quiet.url());
        assertTrue(quiet.rateLimited(), "rate limited unless said otherwise");
        assertEquals(AppService.Ephemeral.STABLE, quiet.ephemeral());
        assertTrue(quiet.acceptsRequestsFrom(() -> "203.0.113.9"), "no ip_range_whitelist: any address");

        AppService fenced = Registrations.load(List.of(file("c.yaml", registration("f", "at3", "ht3",
                "ip_range_whitelist: ['10.1.0.0/16', '::1']\n"))), SERVER).getFirst();
        assertTrue(fenced.acceptsRequestsFrom(() -> "10.1.200.3"));
        assertTrue(fenced.acceptsRequestsFrom(() -> "::1"));
        assertFalse(fenced.acceptsRequestsFrom(() -> "10.2.0.1"));
        assertFalse(fenced.acceptsRequestsFrom(() -> "127.0.0.1"));
        assertFalse(fenced.acceptsRequestsFrom(() -> "localhost"), "a name is not an address");
    }

    @Test
    void aBadFileIsRefusedWithItsName() throws IOException {
        assertTrue(problem(registration("x", "a", "h", "").replace("url: http://127.0.0.1:9000\n", ""))
                .contains("url: required"));
        assertTrue(problem(registration("x", "a", "h", "").replace("as_token: a\n", "")).contains("as_token"));
        assertTrue(problem(registration("x", "a", "a", "")).contains("must differ"));
        assertTrue(problem(registration("x", "a", "h", "").replace("'@x_.*:example\\.org'", "'@x_(['"))
                .contains("bad regex"));
        assertTrue(problem(registration("x", "a", "h", "").replace("exclusive: true", "exclusive: maybe"))
                .contains("exclusive"));
        assertTrue(problem(registration("x", "a", "h", "ip_range_whitelist: ['10.0.0.0/33']\n"))
                .contains("ip_range_whitelist"));
        assertTrue(problem(registration("x", "a", "h", "ip_range_whitelist: 10.0.0.0/8\n"))
                .contains("ip_range_whitelist"));
        assertTrue(problem("id: [\n").contains("bad.yaml"));
    }

    @Test
    void idsAndTokensAreUniqueAcrossFiles() throws IOException {
        Path first = file("1.yaml", registration("a", "t1", "h1", ""));
        String sameId = assertThrows(Registrations.InvalidRegistration.class, () -> Registrations.load(
                List.of(first, file("2.yaml", registration("a", "t2", "h2", ""))), SERVER)).getMessage();
        assertTrue(sameId.contains("id 'a'"), sameId);
        String asIsOthersHs = assertThrows(Registrations.InvalidRegistration.class, () -> Registrations.load(
                List.of(first, file("3.yaml", registration("b", "h1", "h3", ""))), SERVER)).getMessage();
        assertTrue(asIsOthersHs.contains("unique"), asIsOthersHs);
    }
}
