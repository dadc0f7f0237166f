package org.myelin.federation.client;

import io.vertx.core.net.TrustOptions;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Whom outbound federation trusts (server-server API, "TLS"): the system's certificate
 * authorities, as the spec encourages, plus the operator's ({@code federation.trusted_ca_paths}).
 */
public final class TlsTrust {

    private TlsTrust() {
    }

    /** Trust options holding the JDK's default authorities and every certificate in {@code pemFiles}. */
    public static TrustOptions systemPlus(List<Path> pemFiles) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            int n = 0;
            for (var manager : system.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("system-" + n++, ca);
                    }
                }
            }
            CertificateFactory certificates = CertificateFactory.getInstance("X.509");
            for (Path pem : pemFiles) {
                try (InputStream in = Files.newInputStream(pem)) {
                    for (Certificate ca : certificates.generateCertificates(in)) {
                        store.setCertificateEntry("configured-" + n++, ca);
                    }
                }
            }
            TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            combined.init(store);
            return TrustOptions.wrap(combined);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the trusted certificate authorities: " + e.getMessage(), e);
        }
    }
}
