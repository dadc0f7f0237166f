package org.myelin.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.myelin.server.config.ServerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The development TLS certificate of the federation listener ({@code
 * federation.tls_self_signed_dev}): self-signed, for the server name's host (CN and
 * subjectAltName), generated once into {@code <data_dir>/tls/} and reused, regenerated only
 * when the server name's host changes. Remote servers do not trust it unless told to, so it
 * is for development and tests; production configures a real certificate.
 */
public final class SelfSignedCertificate {

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private SelfSignedCertificate() {}

    /** The certificate for {@code host} in {@code directory}, created if missing or for another host. */
    public static TlsFiles ensure(Path directory, ServerNames.HostAndPort serverName) {
        String host = serverName.bareHost();
        TlsFiles files = new TlsFiles(directory.resolve("federation-self-signed.crt"),
                directory.resolve("federation-self-signed.key"));
        try {
            if (Files.exists(files.key()) && host.equals(commonName(files.certificate()))) {
                return files;
            }
            Files.createDirectories(directory);
            generate(files, host, serverName.isIpLiteral());
            LOG.info("Generated a self-signed TLS certificate for {} in {} (development only)", host, directory);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the self-signed certificate in " + directory, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate", e);
        }
    }

    private static void generate(TlsFiles files, String host, boolean ipLiteral)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, host).build();
        Instant now = Instant.now();
        GeneralName san = new GeneralName(ipLiteral ? GeneralName.iPAddress : GeneralName.dNSName, host);
        X509CertificateHolder certificate = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)), subject, keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san))
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        writePem(files.key(), new JcaPKCS8Generator(keys.getPrivate(), null), true);
        writePem(files.certificate(), certificate, false);
    }

    private static void writePem(Path file, Object object, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(object);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text.toString());
        if (secret) {
            restrict(tmp);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to do
        }
    }

    /** The CN of a PEM certificate, or null when it cannot be read. */
    private static String commonName(Path certificate) {
        if (!Files.exists(certificate)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            String dn = cert.getSubjectX500Principal().getName();
            return dn.startsWith("CN=") ? dn.substring(3).split(",", 2)[0] : null;
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }
}
