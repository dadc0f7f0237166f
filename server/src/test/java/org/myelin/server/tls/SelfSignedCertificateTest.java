package org.myelin.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.config.ServerNames;

class SelfSignedCertificateTest {

    @TempDir
    Path dir;

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void generatedOnceForTheHostThenReused() throws Exception {
        TlsFiles files = SelfSignedCertificate.ensure(dir, ServerNames.parse("localhost:8008"));
        X509Certificate cert = read(files.certificate());
        assertEquals("CN=localhost", cert.getSubjectX500Principal().getName());
        assertTrue(cert.getSubjectAlternativeNames().contains(List.of(2, "localhost")), "dNSName SAN");
        assertTrue(Files.readString(files.key()).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.key())));

        String before = Files.readString(files.certificate());
        SelfSignedCertificate.ensure(dir, ServerNames.parse("localhost:9999"));
        assertEquals(before, Files.readString(files.certificate()), "same host: kept");

        SelfSignedCertificate.ensure(dir, ServerNames.parse("example.org"));
        assertNotEquals(before, Files.readString(files.certificate()), "other host: regenerated");
        assertEquals("CN=example.org", read(files.certificate()).getSubjectX500Principal().getName());
    }
}
