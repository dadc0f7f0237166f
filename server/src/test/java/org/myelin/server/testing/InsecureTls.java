package org.myelin.server.testing;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS client context that trusts any certificate (the homeservers under test use
 * self-signed dev certificates) and remembers the chains servers presented, so tests can
 * look at them.
 */
public final class InsecureTls {

    private final List<X509Certificate[]> presented = new CopyOnWriteArrayList<>();
    private final SSLContext context;

    public InsecureTls() {
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, new SecureRandom());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public SSLContext context() {
        return context;
    }

    /** The chains servers presented, in order. */
    public List<X509Certificate[]> presented() {
        return presented;
    }

    /** An X509ExtendedTrustManager, so that the JDK does not add its own hostname check. */
    private final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            presented.add(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            presented.add(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            presented.add(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
