package org.myelin.server.keys;

import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.KeyFactory;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;

/**
 * Installs Conscrypt, Tink's native provider, so that Tink signs and checks Ed25519 with
 * BoringSSL: about three times faster than Tink's pure-Java code, which also leaves some 600 KB
 * of garbage per check. Checking signatures is most of the CPU of a federation join and of
 * inbound transactions (BENCHMARKS.md, "Native Ed25519").
 *
 * <p>Conscrypt is added last, by name, not first: Tink looks it up by name, and TLS and every
 * other JCA service keep the JDK's providers they were tested with. Where Conscrypt's native
 * library does not load (a platform it has no build for), Tink's pure-Java code serves, slower
 * but the same signatures.
 */
public final class NativeEd25519 {

    private static final Logger LOG = LoggerFactory.getLogger(NativeEd25519.class);
    private static volatile Boolean installed;

    private NativeEd25519() {}

    /**
     * Installs the provider once per process, before the first key is made (keys bind their
     * implementation when made). Returns whether Tink now uses native Ed25519.
     */
    public static synchronized boolean install() {
        if (installed == null) {
            installed = tryInstall();
        }
        return installed;
    }

    private static boolean tryInstall() {
        try {
            if (Security.getProvider("Conscrypt") == null) {
                Security.addProvider(Conscrypt.newProvider());
            }
            // What Tink asks of the provider before it uses it.
            Provider conscrypt = Security.getProvider("Conscrypt");
            KeyFactory.getInstance("Ed25519", conscrypt);
            Signature.getInstance("Ed25519", conscrypt);
            Conscrypt.Version v = Conscrypt.version();
            LOG.info("Ed25519 through Conscrypt {}.{}.{}", v.major(), v.minor(), v.patch());
            return true;
        } catch (Throwable e) {
            // UnsatisfiedLinkError and friends: no native build for this platform; or a
            // Conscrypt without Ed25519.
            LOG.warn("Conscrypt did not load ({}); Tink's pure-Java Ed25519 serves", e.toString());
        }
        return false;
    }
}
